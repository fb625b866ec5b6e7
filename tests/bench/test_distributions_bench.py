"""The distributions benchmark runs end to end in a smoke mode: a small tree, claims of sizes 1 and 3 on anvil.
Figures are printed, never asserted: only that every claim was paid and every proof built."""

from __future__ import annotations

from pathlib import Path

from bench import distributions


def test_distributions_bench_builds_every_proof_and_pays_every_claim(tmp_path: Path) -> None:
    result = distributions.main(["--holders", "50", "--sizes", "1,3", "--output", str(tmp_path / "d.json")])
    assert result["tree"]["holders"] == 50
    assert result["tree"]["proof_length"] >= 5
    operations = [row["operation"] for row in result["gas"]]
    assert operations[-3:] == ["claim", "claimBatch of 1", "claimBatch of 3"]
    assert all(row["gas"] > 0 for row in result["gas"])
    assert (tmp_path / "d.json").exists()
