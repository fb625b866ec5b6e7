// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @notice FAKE for tests: an ERC-1155 receiver that, when units arrive, tries to pull units of `victim` (who
///         approved it as operator) into itself, and records whether that worked. It shows what a receiver's hook
///         can still do while a forced transfer into it is under way.
contract FakeReenteringReceiver is IERC1155Receiver {
    address public victim;
    bool public reentered;

    function setVictim(address victim_) external {
        victim = victim_;
    }

    function onERC1155Received(address, address, uint256 id, uint256, bytes calldata)
        external
        returns (bytes4)
    {
        if (victim != address(0)) {
            try IERC1155(msg.sender).safeTransferFrom(victim, address(this), id, 1, "") {
                reentered = true;
            } catch {}
        }
        return IERC1155Receiver.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}
