"""Chain access shared by every service: compiled ABIs, deployments, connections and transactions."""
