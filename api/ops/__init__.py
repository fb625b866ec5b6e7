"""Operations: liveness, readiness (database reachable, index fresh enough) and Prometheus metrics."""
