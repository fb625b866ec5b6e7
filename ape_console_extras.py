"""Loaded by `ape console`: puts the deployed contracts in the namespace as `ownership`, `router`, `stablecoin`."""


def ape_init_extras(chain):  # type: ignore[no-untyped-def]
    from ape import Contract

    from core.chain.abis import OWNERSHIP, PAYMENT_ROUTER, STABLECOIN, load_abi
    from core.chain.deployments import load_deployment
    from core.chain.errors import DeploymentNotFound
    from core.settings import ServiceSettings, load_settings

    try:
        deployment = load_deployment(load_settings(ServiceSettings).deployments_path, chain.chain_id)
    except DeploymentNotFound as exc:
        print(f"(no contracts loaded: {exc})")
        return {}
    names = {"ownership": OWNERSHIP, "router": PAYMENT_ROUTER, "stablecoin": STABLECOIN}
    extras = {
        var: Contract(deployment.address(name), abi=load_abi(name))
        for var, name in names.items()
        if name in deployment.contracts
    }
    print("loaded: " + ", ".join(f"{var} ({deployment.address(names[var])})" for var in extras))
    return {"deployment": deployment, **extras}
