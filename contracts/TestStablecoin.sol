// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Test USD (local chains only)
/// @notice Stands in for USDC on local and test chains: 6 decimals and EIP-2612 permit, like the real one.
///         Never deployed to a production network.
contract TestStablecoin is ERC20, ERC20Permit, Ownable {
    /// @param owner_ May mint test dollars.
    constructor(address owner_) ERC20("Test USD", "tUSD") ERC20Permit("Test USD") Ownable(owner_) {}

    /// @notice Six decimals, as USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Create `amount` (smallest unit) test dollars for `to`.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
