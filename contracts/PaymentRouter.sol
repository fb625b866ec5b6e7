// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @notice The part of the ownership contract the router consults before taking money.
interface IProjectRegistry {
    function project(uint256 projectId)
        external
        view
        returns (uint256 supplyCap, string memory metadataCid, bool exists, bool exited, address communityDao);
}

/// @title Terra Lumina payment router
/// @notice Takes a stablecoin payment for a project and records it with the reference the relayer mints against.
/// @dev Funds go straight to the treasury; the router never holds a balance. A `PaymentReceived` event at
///      finality is what confirms a crypto payment.
contract PaymentRouter is AccessControl, Pausable {
    using SafeERC20 for IERC20;

    /// @notice May pause and unpause payments.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The ownership contract whose projects can be paid for.
    IProjectRegistry public immutable registry;
    /// @notice Where every payment goes.
    address public treasury;
    /// @notice Stablecoins accepted as payment.
    mapping(address token => bool) public tokenAllowed;
    /// @notice Whether a payment reference was already paid.
    mapping(bytes32 paymentRef => bool) public paymentRefUsed;

    /// @notice `payer` paid `amount` of `token` (its smallest unit) for `projectId` under `paymentRef`.
    event PaymentReceived(
        bytes32 indexed paymentRef, address indexed payer, uint256 indexed projectId, address token, uint256 amount
    );
    /// @notice A stablecoin was accepted (`allowed` true) or no longer accepted.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Payments go to `treasury` from now on.
    event TreasuryUpdated(address indexed treasury);

    error ZeroAddress();
    error ZeroAmount();
    error TokenNotAllowed(address token);
    error UnknownProject(uint256 projectId);
    error ProjectIsExited(uint256 projectId);
    error PaymentRefAlreadyUsed(bytes32 paymentRef);

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
    /// @param paymentRef The reference the platform issued for this investment; usable once.
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

    function _pay(uint256 projectId, address token, uint256 amount, bytes32 paymentRef) private {
        if (!tokenAllowed[token]) revert TokenNotAllowed(token);
        if (amount == 0) revert ZeroAmount();
        if (paymentRefUsed[paymentRef]) revert PaymentRefAlreadyUsed(paymentRef);
        (,, bool exists, bool exited,) = registry.project(projectId);
        if (!exists) revert UnknownProject(projectId);
        if (exited) revert ProjectIsExited(projectId);
        paymentRefUsed[paymentRef] = true;
        IERC20(token).safeTransferFrom(msg.sender, treasury, amount);
        emit PaymentReceived(paymentRef, msg.sender, projectId, token, amount);
    }

    /// @notice Accept or stop accepting a stablecoin.
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        tokenAllowed[token] = allowed;
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
