// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

/// @notice What the distributor reads of the ownership contract: a recorded distribution's total and merkle root.
interface IRecordedDistributions {
    function distribution(uint256 projectId, uint256 distributionId)
        external
        view
        returns (uint256 totalAmount, bytes32 merkleRoot, uint256 snapshotBlock);
}

/// @title Terra Lumina distributor
/// @notice Pays a distribution recorded on the ownership contract (`distributeReturns`) to its holders in a
///         stablecoin: funded with the distribution's total, each (account, amount) leaf of its merkle root is paid
///         at most once, to the account itself, whoever sends the claim. Leaves follow OpenZeppelin's
///         StandardMerkleTree: keccak256(bytes.concat(keccak256(abi.encode(account, amount)))).
///         After the claim deadline an admin may sweep what is unclaimed; no claim is paid after a sweep.
/// @dev Distribution ids are unique across projects (the platform allocates them from one sequence).
contract Distributor is AccessControl {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /// @notice May fund recorded distributions (the platform's treasury operator).
    bytes32 public constant FUNDER_ROLE = keccak256("FUNDER_ROLE");

    struct Pool {
        uint256 projectId;
        bytes32 merkleRoot;
        uint256 total;
        uint256 claimed;
        uint64 claimDeadline;
        bool swept;
    }

    IRecordedDistributions public immutable ownership;
    IERC20 public immutable token;

    mapping(uint256 distributionId => Pool) private _pools;
    // One bit per account (keyed by its address), per distribution.
    mapping(uint256 distributionId => BitMaps.BitMap) private _claimed;

    event DistributionFunded(
        uint256 indexed distributionId, uint256 indexed projectId, uint256 total, bytes32 merkleRoot, uint64 claimDeadline
    );
    event Claimed(uint256 indexed distributionId, address indexed account, uint256 amount);
    event Swept(uint256 indexed distributionId, address indexed to, uint256 amount);

    error DistributionNotRecorded(uint256 projectId, uint256 distributionId);
    error DistributionAlreadyFunded(uint256 distributionId);
    error UnknownDistribution(uint256 distributionId);
    error DistributionClosed(uint256 distributionId);
    error ClaimDeadlineNotPassed(uint256 distributionId, uint64 claimDeadline);
    error InvalidClaimDeadline(uint64 claimDeadline);
    error AlreadyClaimed(uint256 distributionId, address account);
    error InvalidProof(uint256 distributionId, address account, uint256 amount);
    error ClaimsExceedTotal(uint256 distributionId);
    error LengthMismatch();
    error ZeroAddress();

    constructor(IRecordedDistributions ownership_, IERC20 token_, address admin) {
        if (address(ownership_) == address(0) || address(token_) == address(0) || admin == address(0)) {
            revert ZeroAddress();
        }
        ownership = ownership_;
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Fund distribution `distributionId` of `projectId` with its recorded total, pulled from the caller
    ///         (who approved it), claimable until `claimDeadline` (unix seconds).
    function fund(uint256 projectId, uint256 distributionId, uint64 claimDeadline) external onlyRole(FUNDER_ROLE) {
        if (_pools[distributionId].merkleRoot != bytes32(0)) revert DistributionAlreadyFunded(distributionId);
        (uint256 total, bytes32 root,) = ownership.distribution(projectId, distributionId);
        if (root == bytes32(0)) revert DistributionNotRecorded(projectId, distributionId);
        if (claimDeadline <= block.timestamp) revert InvalidClaimDeadline(claimDeadline);
        _pools[distributionId] = Pool(projectId, root, total, 0, claimDeadline, false);
        token.safeTransferFrom(msg.sender, address(this), total);
        emit DistributionFunded(distributionId, projectId, total, root, claimDeadline);
    }

    /// @notice Pay `account` its `amount` of distribution `distributionId`, proven by `proof`; at most once.
    function claim(uint256 distributionId, address account, uint256 amount, bytes32[] calldata proof) external {
        _claim(distributionId, account, amount, proof);
    }

    /// @notice Several claims of one distribution in one transaction (the relayer's custodial holders).
    function claimBatch(
        uint256 distributionId,
        address[] calldata accounts,
        uint256[] calldata amounts,
        bytes32[][] calldata proofs
    ) external {
        if (accounts.length != amounts.length || accounts.length != proofs.length) revert LengthMismatch();
        for (uint256 i = 0; i < accounts.length; ++i) {
            _claim(distributionId, accounts[i], amounts[i], proofs[i]);
        }
    }

    /// @notice After the claim deadline, send what is unclaimed to `to` and close the distribution.
    function sweep(uint256 distributionId, address to) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Pool storage p = _open(distributionId);
        if (block.timestamp <= p.claimDeadline) revert ClaimDeadlineNotPassed(distributionId, p.claimDeadline);
        if (to == address(0)) revert ZeroAddress();
        p.swept = true;
        uint256 rest = p.total - p.claimed;
        token.safeTransfer(to, rest);
        emit Swept(distributionId, to, rest);
    }

    function isClaimed(uint256 distributionId, address account) external view returns (bool) {
        return _claimed[distributionId].get(uint256(uint160(account)));
    }

    function pool(uint256 distributionId) external view returns (Pool memory) {
        return _pools[distributionId];
    }

    function _claim(uint256 distributionId, address account, uint256 amount, bytes32[] calldata proof) private {
        Pool storage p = _open(distributionId);
        uint256 key = uint256(uint160(account));
        if (_claimed[distributionId].get(key)) revert AlreadyClaimed(distributionId, account);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
        if (!MerkleProof.verifyCalldata(proof, p.merkleRoot, leaf)) {
            revert InvalidProof(distributionId, account, amount);
        }
        // A correct tree's leaves sum to the total; this only guards against a wrong root ever being recorded.
        if (p.claimed + amount > p.total) revert ClaimsExceedTotal(distributionId);
        _claimed[distributionId].set(key);
        p.claimed += amount;
        token.safeTransfer(account, amount);
        emit Claimed(distributionId, account, amount);
    }

    function _open(uint256 distributionId) private view returns (Pool storage p) {
        p = _pools[distributionId];
        if (p.merkleRoot == bytes32(0)) revert UnknownDistribution(distributionId);
        if (p.swept) revert DistributionClosed(distributionId);
    }
}
