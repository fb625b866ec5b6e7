// Reference: builds each tree with @openzeppelin/merkle-tree and prints its root and proofs.
// stdin: [{"types": [...], "values": [[...], ...]}, ...]; stdout: [{"root": "0x…", "proofs": [[…], …]}, …]
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const trees = JSON.parse(input).map(({ types, values }) => {
    const tree = StandardMerkleTree.of(values, types);
    return { root: tree.root, proofs: values.map((_, i) => tree.getProof(i)), dump: tree.dump() };
  });
  process.stdout.write(JSON.stringify(trees));
});
