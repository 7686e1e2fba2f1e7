// SPDX-License-Identifier: Apache-2.0
// A minimal ERC-20 in the shape of JPYC's transfers (test fixture, compiled by solc at test time).
pragma solidity ^0.8.20;

contract JpycStyleToken {
    string public constant name = "JPYC-style test token";
    string public constant symbol = "tJPYC";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint256 supply) {
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
