#!/usr/bin/env python3
"""icmp-ping.py ADDRESS [TRIES] — one ICMP echo at a time until a reply (exit 0) or
TRIES timeouts of 2 s (exit 1). For machines without ping(8); needs root (raw socket)."""
import os
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main() -> int:
    dst, tries = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ident, payload = os.getpid() & 0xFFFF, b"openstack-lab" * 4
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
        for seq in range(1, tries + 1):
            header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            header = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq)
            sent = time.monotonic()
            s.sendto(header + payload, (dst, 0))
            deadline = sent + 2
            while (left := deadline - time.monotonic()) > 0:
                s.settimeout(left)
                try:
                    data, addr = s.recvfrom(2048)
                except socket.timeout:
                    break
                ihl = (data[0] & 0x0F) * 4
                kind, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
                if addr[0] == dst and kind == 0 and rid == ident and rseq == seq:
                    print(f"reply from {dst} seq {seq} in {(time.monotonic() - sent) * 1000:.1f} ms")
                    return 0
            print(f"no reply from {dst} seq {seq}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
