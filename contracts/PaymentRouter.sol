// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @notice The part of the ownership contract the router consults before taking money.
interface IProjectRegistry {
    /// @notice Reverts, with the ownership contract's own error, unless `amount` units of `projectId` could be
    ///         minted to `investor` now (project known, not exited, not paused, investor allowlisted, cap left).
    function requireMintable(uint256 projectId, address investor, uint256 amount) external view;
}

/// @title Terra Lumina payment router
/// @notice Takes a stablecoin payment for a project and records it with the reference the relayer mints against.
/// @dev Funds go straight to the treasury; the router never holds a balance. A `PaymentReceived` event at
///      finality is what confirms a crypto payment. A reference is bound to its payer: the relayer matches
///      (payer, reference) to the investment, so someone who copies a reference from the mempool pays for nothing.
contract PaymentRouter is AccessControl, Pausable {
    using SafeERC20 for IERC20;

    /// @notice May pause and unpause payments.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The smallest payment, in US cents: the platform's $10 minimum investment.
    uint256 public constant MINIMUM_CENTS = 1_000;

    /// @notice The ownership contract whose projects can be paid for.
    IProjectRegistry public immutable registry;
    /// @notice Where every payment goes.
    address public treasury;
    /// @notice Smallest units of an accepted stablecoin per US cent (10**(decimals - 2)); 0 when not accepted.
    mapping(address token => uint256) public unitsPerCent;
    /// @notice Whether `payer` already paid under `paymentRef`.
    mapping(address payer => mapping(bytes32 paymentRef => bool)) public paymentRefUsed;

    /// @notice `payer` paid for `projectId` under `paymentRef`; `amount` is what the treasury received of `token`
    ///         (its smallest unit), which a fee-on-transfer token makes less than what the payer sent.
    event PaymentReceived(
        bytes32 indexed paymentRef, address indexed payer, uint256 indexed projectId, address token, uint256 amount
    );
    /// @notice A stablecoin was accepted (`allowed` true) or no longer accepted.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Payments go to `treasury` from now on.
    event TreasuryUpdated(address indexed treasury);

    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice `token` is not an accepted stablecoin.
    error TokenNotAllowed(address token);
    /// @notice `token` has fewer than 2 (no cents) or implausibly many decimals.
    error UnsupportedDecimals(address token, uint8 decimals);
    /// @notice `amount` is not a whole number of cents: not a multiple of `unitsPerCent` of the token.
    error NotWholeCents(uint256 amount, uint256 unitsPerCent);
    /// @notice The payment of `cents` is below the minimum investment of `minimumCents`.
    error BelowMinimum(uint256 cents, uint256 minimumCents);
    /// @notice `payer` already paid under `paymentRef`.
    error PaymentRefAlreadyUsed(address payer, bytes32 paymentRef);

    /// @param registry_ The ownership contract.
    /// @param treasury_ The address receiving every payment.
    /// @param admin Holder of the admin role.
    constructor(IProjectRegistry registry_, address treasury_, address admin) {
        if (address(registry_) == address(0) || treasury_ == address(0) || admin == address(0)) revert ZeroAddress();
        registry = registry_;
        treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit TreasuryUpdated(treasury_);
    }

    /// @notice Pay `amount` of an accepted stablecoin for `projectId`; the payer must have approved the router.
    /// @dev Refuses what could never be minted: an amount that is not whole cents or below `MINIMUM_CENTS`, and
    ///      whatever the ownership contract's `requireMintable` refuses for the payer and that many cents.
    /// @param paymentRef The reference the platform issued for this investment; usable once per payer.
    function pay(uint256 projectId, address token, uint256 amount, bytes32 paymentRef) external whenNotPaused {
        _pay(projectId, token, amount, paymentRef);
    }

    /// @notice Same as `pay`, approving the router with an EIP-2612 permit in the same transaction.
    /// @dev A permit front-run by someone else still leaves the allowance in place, so a failed `permit`
    ///      is tolerated and the transfer decides.
    function payWithPermit(
        uint256 projectId,
        address token,
        uint256 amount,
        bytes32 paymentRef,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused {
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _pay(projectId, token, amount, paymentRef);
    }

    /// @notice Whether `token` is an accepted stablecoin.
    function tokenAllowed(address token) external view returns (bool) {
        return unitsPerCent[token] != 0;
    }

    function _pay(uint256 projectId, address token, uint256 amount, bytes32 paymentRef) private {
        uint256 unit = unitsPerCent[token];
        if (unit == 0) revert TokenNotAllowed(token);
        if (amount % unit != 0) revert NotWholeCents(amount, unit);
        uint256 cents = amount / unit;
        if (cents < MINIMUM_CENTS) revert BelowMinimum(cents, MINIMUM_CENTS);
        if (paymentRefUsed[msg.sender][paymentRef]) revert PaymentRefAlreadyUsed(msg.sender, paymentRef);
        registry.requireMintable(projectId, msg.sender, cents);
        paymentRefUsed[msg.sender][paymentRef] = true;
        address to = treasury;
        uint256 before = IERC20(token).balanceOf(to);
        IERC20(token).safeTransferFrom(msg.sender, to, amount);
        emit PaymentReceived(paymentRef, msg.sender, projectId, token, IERC20(token).balanceOf(to) - before);
    }

    /// @notice Accept or stop accepting a stablecoin; accepting reads its decimals to fix the units per cent.
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        if (allowed) {
            uint8 decimals = IERC20Metadata(token).decimals();
            // 10**(decimals - 2) must fit comfortably: no real stablecoin has more than 18 decimals.
            if (decimals < 2 || decimals > 38) revert UnsupportedDecimals(token, decimals);
            unitsPerCent[token] = 10 ** (decimals - 2);
        } else {
            delete unitsPerCent[token];
        }
        emit TokenAllowed(token, allowed);
    }

    /// @notice Send future payments to a new treasury.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    /// @notice Stop taking payments.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume taking payments.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }
}
