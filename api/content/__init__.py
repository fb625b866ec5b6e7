"""Public content of the catalogue: ERC-1155 metadata (`/metadata/{id}`) and verified IPFS content (`/ipfs/{cid}`)."""
