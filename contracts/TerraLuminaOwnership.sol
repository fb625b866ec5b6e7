// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Supply} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Supply.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {IERC7943MultiToken} from "./IERC7943MultiToken.sol";

/// @title Terra Lumina project ownership
/// @notice The source of truth for who owns what share of which renewable-energy project.
///         Token id = project id; one token unit = one US cent of principal at issue; a project's
///         supply cap = its funding target in cents, so `totalSupply(id)` is the amount raised.
/// @dev Token logic is OpenZeppelin's. What is ours: the project registry, the supply cap, the
///      payment-reference idempotency of mints, the KYC allowlist on every transfer, the exit freeze,
///      the record of each distribution's merkle root, and ERC-7943's frozen amounts and forced transfers
///      (disputes freeze an investor's units, refunds claw them back to the treasury).
contract TerraLuminaOwnership is ERC1155, ERC1155Supply, AccessControl, Pausable, IERC7943MultiToken {
    /// @notice May create projects and record distributions.
    bytes32 public constant PROJECT_ADMIN_ROLE = keccak256("PROJECT_ADMIN_ROLE");
    /// @notice May mint investments: the relayer's key only.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice May pause and unpause every transfer.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May add and remove addresses on the KYC allowlist, freeze units and force transfers (clawbacks).
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");

    struct Project {
        uint256 supplyCap;
        string metadataCid;
        bool exists;
        bool exited;
        address communityDao;
    }

    struct Distribution {
        uint256 totalAmount;
        bytes32 merkleRoot;
        uint256 snapshotBlock;
    }

    // Metadata CIDs accepted by `createProject`: CIDv0 (`Qm` + 44 base58btc characters) or CIDv1 in lower-case
    // base32 (`b` multibase prefix; every CIDv1 then starts `ba`). 59 characters is a sha2-256 CID with a one-byte
    // codec (`bafybei…` dag-pb, `bafkrei…` raw); 117 leaves room for a 64-byte digest with multi-byte varints.
    uint256 private constant CIDV0_LENGTH = 46;
    uint256 private constant CIDV1_MIN_LENGTH = 59;
    uint256 private constant CIDV1_MAX_LENGTH = 117;
    // Bit c is set when ASCII character c belongs to the alphabet (no bit above 127: non-ASCII bytes never match).
    uint256 private constant BASE58BTC_CHARS = 0x7ffeffe07ff7dfe03fe000000000000;
    uint256 private constant BASE32_LOWER_CHARS = 0x7fffffe0000000000fc000000000000;

    mapping(uint256 projectId => Project) private _projects;
    mapping(uint256 projectId => mapping(uint256 distributionId => Distribution)) private _distributions;

    /// @notice Whether a payment reference has already produced a mint.
    mapping(bytes32 paymentRef => bool) public paymentRefUsed;

    /// @notice Whether an address passed KYC and may hold, receive and send tokens.
    mapping(address account => bool) public isAllowed;

    mapping(address account => mapping(uint256 projectId => uint256 amount)) private _frozen;

    // Set only for the length of `forcedTransfer`'s balance update: lets `_update` take units from an account that is
    // off the allowlist (a clawback must work on a revoked investor). Transient: gone at the end of the transaction
    // whatever happens, and cleared before the receiver's hook runs, so no re-entered call can use it.
    bool private transient _forcing;

    /// @notice A project was registered with its supply cap (funding target in cents) and metadata CID.
    event ProjectCreated(uint256 indexed projectId, uint256 supplyCap, string metadataCid);
    /// @notice `amount` units of `projectId` were minted to `investor` for the payment `paymentRef`.
    event InvestmentMinted(uint256 indexed projectId, address indexed investor, uint256 amount, bytes32 indexed paymentRef);
    /// @notice A distribution of `totalAmount` was recorded; per-holder amounts are the leaves under `merkleRoot`,
    ///         computed from balances at `snapshotBlock`.
    event ReturnsDistributed(
        uint256 indexed projectId,
        uint256 indexed distributionId,
        uint256 totalAmount,
        bytes32 merkleRoot,
        uint256 snapshotBlock
    );
    /// @notice The project was handed to its community DAO; its tokens are frozen from now on.
    event ProjectExited(uint256 indexed projectId, address indexed communityDao);
    /// @notice `account` was added to (`allowed` true) or removed from the KYC allowlist.
    event AllowlistUpdated(address indexed account, bool allowed);

    error UnknownProject(uint256 projectId);
    error ProjectAlreadyExists(uint256 projectId);
    error ProjectIsExited(uint256 projectId);
    error InvalidSupplyCap();
    /// @notice `metadataCid` is not an IPFS CID (CIDv0 `Qm…` or lower-case base32 CIDv1 `b…`).
    error InvalidMetadataCid(string metadataCid);
    /// @notice Minting is paused, so nothing can be minted (or paid for) in `projectId` now.
    error ProjectPaused(uint256 projectId);
    error ZeroAmount();
    error ZeroAddress();
    error SupplyCapExceeded(uint256 projectId, uint256 supplyCap, uint256 requestedSupply);
    error PaymentRefAlreadyUsed(bytes32 paymentRef);
    error AccountNotAllowed(address account);
    error LengthMismatch();
    error DistributionAlreadyRecorded(uint256 projectId, uint256 distributionId);
    error SnapshotInFuture(uint256 snapshotBlock);

    /// @param uri_ ERC-1155 metadata URI with the `{id}` placeholder, e.g. `https://api.example/api/v1/metadata/{id}`.
    /// @param admin Holder of the admin role (a multisig in production), who grants every other role.
    constructor(string memory uri_, address admin) ERC1155(uri_) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ----- projects -------------------------------------------------------------------------------

    /// @notice Register a project whose tokens can then be minted up to `supplyCap`.
    /// @param projectId The token id of the project; never reused.
    /// @param supplyCap The funding target in US cents.
    /// @param metadataCid IPFS CID of the project's metadata document: CIDv0 (`Qm…`, 46 characters) or CIDv1 in
    ///        lower-case base32 (`bafy…`, `bafk…`); anything else reverts with `InvalidMetadataCid`.
    function createProject(uint256 projectId, uint256 supplyCap, string calldata metadataCid)
        external
        onlyRole(PROJECT_ADMIN_ROLE)
    {
        if (_projects[projectId].exists) revert ProjectAlreadyExists(projectId);
        if (supplyCap == 0) revert InvalidSupplyCap();
        if (!_isCid(bytes(metadataCid))) revert InvalidMetadataCid(metadataCid);
        _projects[projectId] = Project(supplyCap, metadataCid, true, false, address(0));
        emit ProjectCreated(projectId, supplyCap, metadataCid);
    }

    /// @notice A project's registry entry.
    /// @return supplyCap Funding target in cents (0 when the project does not exist).
    /// @return metadataCid CID of its metadata document.
    /// @return exists Whether the project was created.
    /// @return exited Whether it was handed to its community DAO.
    /// @return communityDao The DAO it was handed to, if exited.
    function project(uint256 projectId)
        external
        view
        returns (uint256 supplyCap, string memory metadataCid, bool exists, bool exited, address communityDao)
    {
        Project storage p = _projects[projectId];
        return (p.supplyCap, p.metadataCid, p.exists, p.exited, p.communityDao);
    }

    /// @notice Hand a project to its community DAO. Its token id is frozen afterwards: no mint, no transfer.
    /// @dev The project admin's, like creating the project and recording its distributions: the platform's relayer
    ///      executes what an administrator decided, after the exit distribution is on chain.
    function exitProject(uint256 projectId, address communityDao) external onlyRole(PROJECT_ADMIN_ROLE) {
        Project storage p = _requireOpenProject(projectId);
        if (communityDao == address(0)) revert ZeroAddress();
        p.exited = true;
        p.communityDao = communityDao;
        emit ProjectExited(projectId, communityDao);
    }

    // ----- investments ----------------------------------------------------------------------------

    /// @notice Reverts, with the reason a mint would give, unless `amount` units of `projectId` could be minted to
    ///         `investor` now: `UnknownProject`, `ProjectIsExited`, `ProjectPaused`, `AccountNotAllowed` or
    ///         `SupplyCapExceeded`. The payment router asks before it takes money.
    /// @dev Counts only what is minted: payments not minted yet are not reserved against the cap.
    function requireMintable(uint256 projectId, address investor, uint256 amount) external view {
        Project storage p = _requireOpenProject(projectId);
        if (paused()) revert ProjectPaused(projectId);
        if (!isAllowed[investor]) revert AccountNotAllowed(investor);
        uint256 requested = totalSupply(projectId) + amount;
        if (requested > p.supplyCap) revert SupplyCapExceeded(projectId, p.supplyCap, requested);
    }

    /// @notice Mint `amount` units of `projectId` to `investor` for a confirmed payment.
    /// @dev Reverts on an unknown or exited project, a cap overrun, a reused `paymentRef`, an investor
    ///      not on the allowlist, or while paused. The reference makes a retried mint harmless.
    function mintInvestment(uint256 projectId, address investor, uint256 amount, bytes32 paymentRef)
        external
        onlyRole(MINTER_ROLE)
    {
        _mintInvestment(projectId, investor, amount, paymentRef);
    }

    /// @notice Mint several investments in one transaction; all of them or none.
    /// @dev The four arrays are read in parallel: entry i is one `mintInvestment` call.
    function mintInvestmentBatch(
        uint256[] calldata projectIds,
        address[] calldata investors,
        uint256[] calldata amounts,
        bytes32[] calldata paymentRefs
    ) external onlyRole(MINTER_ROLE) {
        uint256 n = projectIds.length;
        if (investors.length != n || amounts.length != n || paymentRefs.length != n) revert LengthMismatch();
        for (uint256 i = 0; i < n; ++i) {
            _mintInvestment(projectIds[i], investors[i], amounts[i], paymentRefs[i]);
        }
    }

    function _mintInvestment(uint256 projectId, address investor, uint256 amount, bytes32 paymentRef) private {
        Project storage p = _requireOpenProject(projectId);
        if (amount == 0) revert ZeroAmount();
        if (paymentRefUsed[paymentRef]) revert PaymentRefAlreadyUsed(paymentRef);
        uint256 requested = totalSupply(projectId) + amount;
        if (requested > p.supplyCap) revert SupplyCapExceeded(projectId, p.supplyCap, requested);
        paymentRefUsed[paymentRef] = true;
        _mint(investor, projectId, amount, "");
        emit InvestmentMinted(projectId, investor, amount, paymentRef);
    }

    // ----- distributions --------------------------------------------------------------------------

    /// @notice Record a distribution of returns. Payouts happen off-chain or through a claim contract;
    ///         the merkle root commits to every holder's amount so each can be proven and claimed once.
    /// @param distributionId Unique per project.
    /// @param totalAmount Sum of all leaves, in the payout currency's smallest unit.
    /// @param merkleRoot Root of the (holder, amount) leaves.
    /// @param snapshotBlock Block whose balances the amounts were computed from; not in the future.
    function distributeReturns(
        uint256 projectId,
        uint256 distributionId,
        uint256 totalAmount,
        bytes32 merkleRoot,
        uint256 snapshotBlock
    ) external onlyRole(PROJECT_ADMIN_ROLE) {
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        if (_distributions[projectId][distributionId].merkleRoot != bytes32(0)) {
            revert DistributionAlreadyRecorded(projectId, distributionId);
        }
        if (snapshotBlock > block.number) revert SnapshotInFuture(snapshotBlock);
        if (merkleRoot == bytes32(0) || totalAmount == 0) revert ZeroAmount();
        _distributions[projectId][distributionId] = Distribution(totalAmount, merkleRoot, snapshotBlock);
        emit ReturnsDistributed(projectId, distributionId, totalAmount, merkleRoot, snapshotBlock);
    }

    /// @notice A recorded distribution (all zero when none).
    function distribution(uint256 projectId, uint256 distributionId)
        external
        view
        returns (uint256 totalAmount, bytes32 merkleRoot, uint256 snapshotBlock)
    {
        Distribution storage d = _distributions[projectId][distributionId];
        return (d.totalAmount, d.merkleRoot, d.snapshotBlock);
    }

    // ----- compliance and emergency ---------------------------------------------------------------

    /// @notice Add `account` to, or remove it from, the KYC allowlist.
    function setAllowed(address account, bool allowed) external onlyRole(COMPLIANCE_ROLE) {
        _setAllowed(account, allowed);
    }

    /// @notice Add several accounts to, or remove them from, the KYC allowlist.
    function setAllowedBatch(address[] calldata accounts, bool allowed) external onlyRole(COMPLIANCE_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _setAllowed(accounts[i], allowed);
        }
    }

    function _setAllowed(address account, bool allowed) private {
        if (account == address(0)) revert ZeroAddress();
        isAllowed[account] = allowed;
        emit AllowlistUpdated(account, allowed);
    }

    // ----- ERC-7943: freezes and forced transfers ----------------------------------------------------

    /// @notice Freeze `amount` units of `account`'s tokens of `projectId`: an absolute amount that replaces the
    ///         previous one (0 releases the freeze). Transfers that would leave the account holding fewer units than
    ///         its frozen amount revert with `ERC7943InsufficientUnfrozenBalance`; mints to it are not affected.
    /// @dev As ERC-7943 requires, the amount may exceed the current balance: the relayer freezes what a disputed
    ///      payment minted, and the holder may have moved some units away already; whatever comes back (or is still
    ///      held) stays frozen until the dispute is decided. Allowed while paused (it moves nothing) and on an exited
    ///      project (where nothing moves anyway, so a release still goes through); an unknown project reverts
    ///      (`UnknownProject`), so a mistyped id cannot leave a freeze nobody sees.
    /// @return result Always true; every failure reverts.
    function setFrozenTokens(address account, uint256 projectId, uint256 amount)
        external
        onlyRole(COMPLIANCE_ROLE)
        returns (bool result)
    {
        if (account == address(0)) revert ZeroAddress();
        if (!_projects[projectId].exists) revert UnknownProject(projectId);
        _frozen[account][projectId] = amount;
        emit Frozen(account, projectId, amount);
        return true;
    }

    /// @notice Units of `projectId` frozen for `account`; may be more than it holds.
    function getFrozenTokens(address account, uint256 projectId) external view returns (uint256 amount) {
        return _frozen[account][projectId];
    }

    /// @notice Move `amount` units of `projectId` from `from` to `to` whatever `from`'s freeze and allowlist status:
    ///         the clawback of a refunded or lost-dispute payment to the treasury. Emits `Frozen` first when the
    ///         units left would be fewer than the frozen amount (which drops to what is left), then the ERC-1155
    ///         `TransferSingle` and `ForcedTransfer`.
    /// @dev `to` must be on the allowlist (`AccountNotAllowed`) and accept ERC-1155 units; `from` must hold `amount`
    ///      (`ERC1155InsufficientBalance`). Paused: reverts (`EnforcedPause`) like every other movement, because the
    ///      compliance role sits on the relayer's hot key, and pause is the stop button if that key leaks; a
    ///      clawback can wait for unpause (freeze first if it must not move meanwhile). Exited: reverts
    ///      (`ProjectIsExited`): the exit fixes the ownership handed to the community DAO, which no key may rewrite.
    /// @return result Always true; every failure reverts.
    function forcedTransfer(address from, address to, uint256 projectId, uint256 amount)
        external
        onlyRole(COMPLIANCE_ROLE)
        returns (bool result)
    {
        if (from == address(0) || to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 held = balanceOf(from, projectId);
        // Unfreeze before the transfer event, as ERC-7943 asks; a shortfall reverts below with OpenZeppelin's error.
        if (held >= amount) {
            uint256 left = held - amount;
            if (_frozen[from][projectId] > left) {
                _frozen[from][projectId] = left;
                emit Frozen(from, projectId, left);
            }
        }
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = projectId;
        values[0] = amount;
        _forcing = true;
        _update(from, to, ids, values);
        _forcing = false;
        ERC1155Utils.checkOnERC1155Received(_msgSender(), from, to, projectId, amount, "");
        emit ForcedTransfer(from, to, projectId, amount);
        return true;
    }

    /// @notice ERC-7943 account eligibility: the KYC allowlist.
    function canSend(address account) external view returns (bool allowed) {
        return isAllowed[account];
    }

    /// @notice ERC-7943 account eligibility: the KYC allowlist.
    function canReceive(address account) external view returns (bool allowed) {
        return isAllowed[account];
    }

    /// @notice Whether a `safeTransferFrom` of `amount` units would pass the contract's own rules now: not paused,
    ///         project not exited, both parties allowlisted, `amount` within the sender's unfrozen units.
    function canTransfer(address from, address to, uint256 projectId, uint256 amount)
        external
        view
        returns (bool allowed)
    {
        if (paused() || _projects[projectId].exited || !isAllowed[from] || !isAllowed[to]) return false;
        return amount <= _unfrozen(from, projectId, balanceOf(from, projectId));
    }

    function _unfrozen(address account, uint256 projectId, uint256 held) private view returns (uint256) {
        uint256 frozen = _frozen[account][projectId];
        return held > frozen ? held - frozen : 0;
    }

    /// @notice Stop every mint and transfer.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume mints and transfers.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Point `uri(id)` at a new metadata location (keep the `{id}` placeholder).
    function setURI(string calldata newUri) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setURI(newUri);
    }

    // ----- internals ------------------------------------------------------------------------------

    function _requireOpenProject(uint256 projectId) private view returns (Project storage p) {
        p = _projects[projectId];
        if (!p.exists) revert UnknownProject(projectId);
        if (p.exited) revert ProjectIsExited(projectId);
    }

    /// @dev Only the alphabet and the length are checked, not the multihash inside: enough to refuse what no IPFS
    ///      client would resolve (empty strings, NUL bytes, non-ASCII, arbitrary text).
    function _isCid(bytes calldata cid) private pure returns (bool) {
        uint256 n = cid.length;
        if (n == CIDV0_LENGTH && cid[0] == "Q" && cid[1] == "m") return _allIn(cid, BASE58BTC_CHARS);
        if (n >= CIDV1_MIN_LENGTH && n <= CIDV1_MAX_LENGTH && cid[0] == "b" && cid[1] == "a") {
            return _allIn(cid[1:], BASE32_LOWER_CHARS);
        }
        return false;
    }

    function _allIn(bytes calldata text, uint256 alphabet) private pure returns (bool) {
        for (uint256 i = 0; i < text.length; ++i) {
            if ((alphabet >> uint8(text[i])) & 1 == 0) return false;
        }
        return true;
    }

    /// @dev Every balance change passes here: mints and transfers alike obey pause, exit freeze and allowlist (a
    ///      forced transfer skips the sender's allowlist check only), and no sender may be left holding fewer units
    ///      than are frozen for it (mints have no sender; a forced transfer has lowered the frozen amount first).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override(ERC1155, ERC1155Supply)
    {
        _requireNotPaused();
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_projects[ids[i]].exited) revert ProjectIsExited(ids[i]);
        }
        if (from != address(0) && !isAllowed[from] && !_forcing) revert AccountNotAllowed(from);
        if (to != address(0) && !isAllowed[to]) revert AccountNotAllowed(to);
        super._update(from, to, ids, values);
        if (from != address(0)) _requireFrozenKept(from, ids, values);
    }

    /// @dev Checked on the balances after the move, so a batch naming one id twice cannot spend the unfrozen units
    ///      twice; a move beyond the whole balance has already reverted with OpenZeppelin's error.
    function _requireFrozenKept(address from, uint256[] memory ids, uint256[] memory values) private view {
        mapping(uint256 projectId => uint256 amount) storage frozenOf = _frozen[from];
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 frozen = frozenOf[ids[i]];
            if (frozen == 0) continue;
            uint256 left = balanceOf(from, ids[i]);
            if (left < frozen) {
                uint256 before = left + values[i]; // exact for a single transfer; for a repeated id, this entry's view
                revert ERC7943InsufficientUnfrozenBalance(from, ids[i], values[i], before > frozen ? before - frozen : 0);
            }
        }
    }

    /// @notice ERC-165: ERC-1155, AccessControl and ERC-7943's multi-token interface (0x41c4fbad).
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return interfaceId == type(IERC7943MultiToken).interfaceId || super.supportsInterface(interfaceId);
    }
}
