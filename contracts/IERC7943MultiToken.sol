// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ERC-7943 (uRWA) for ERC-1155 tokens: frozen amounts, forced transfers and transfer pre-checks
/// @notice The six functions whose selectors XOR to the interface id 0x41c4fbad that ERC-7943 names for multi tokens,
///         with its two events and the error a transfer of frozen units reverts with.
/// @dev Written from the ERC's text (https://eips.ethereum.org/EIPS/eip-7943). It does not extend IERC165, unlike
///      the ERC's listing: the implementing contract already gets IERC165 from ERC1155 and AccessControl, and an
///      interface's id only counts its own functions. The ERC's `tokenId` is `projectId` here (token id = project id);
///      parameter names are not part of selectors, topics or the interface id.
interface IERC7943MultiToken {
    /// @notice `amount` units of `projectId` were taken from `from` and given to `to` by the compliance role.
    event ForcedTransfer(address indexed from, address indexed to, uint256 indexed projectId, uint256 amount);

    /// @notice The frozen amount of `account`'s `projectId` units is now `amount` (an absolute value, not a change).
    event Frozen(address indexed account, uint256 indexed projectId, uint256 amount);

    /// @notice `account` tried to move `amount` units of `projectId`: it holds them, but only `unfrozen` are free.
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 projectId, uint256 amount, uint256 unfrozen);

    /// @notice Move `amount` units of `projectId` from `from` to `to` whatever `from`'s freeze; restricted.
    function forcedTransfer(address from, address to, uint256 projectId, uint256 amount) external returns (bool result);

    /// @notice Set how many of `account`'s `projectId` units are frozen (may exceed its balance); restricted.
    function setFrozenTokens(address account, uint256 projectId, uint256 amount) external returns (bool result);

    /// @notice Whether `account` may send tokens at all (account-level eligibility; never reverts).
    function canSend(address account) external view returns (bool allowed);

    /// @notice Whether `account` may receive tokens at all (account-level eligibility; never reverts).
    function canReceive(address account) external view returns (bool allowed);

    /// @notice How many of `account`'s `projectId` units are frozen; may be more than it holds.
    function getFrozenTokens(address account, uint256 projectId) external view returns (uint256 amount);

    /// @notice Whether a transfer of `amount` units of `projectId` from `from` to `to` would pass every permissioned
    ///         rule now (eligibility, pause, freeze); never reverts.
    function canTransfer(address from, address to, uint256 projectId, uint256 amount)
        external
        view
        returns (bool allowed);
}
