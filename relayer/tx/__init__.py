"""The relayer's transaction manager: the one nonce owner of each key the relayer holds (DESIGN.md "Payments to
mints"). `repository` holds its SQL, `fees` and `nonce` its pure rules, `manager` the loop that talks to the chain."""
