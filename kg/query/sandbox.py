"""Take the network away from a process, so that nothing it runs can reach another machine.

The query workers call this before they open the store: the engine (pyoxigraph) has an HTTP client
for SPARQL SERVICE, and a public endpoint must never make a request on a client's behalf, whatever
spelling of a query gets past the text check. Three ways, tried in order:

1. `unshare(CLONE_NEWNET)`: a new network namespace with no interface up, not even loopback
   (works as root, or with CAP_SYS_ADMIN);
2. `unshare(CLONE_NEWUSER | CLONE_NEWNET)`: the same for a normal user, where the kernel allows
   unprivileged user namespaces (most distributions do);
3. a seccomp filter that makes `socket(AF_INET | AF_INET6, ...)` fail with EACCES (any user, Linux
   3.5+ on x86-64 or arm64), for containers that forbid namespaces.

Every way leaves files and the process's existing sockets (the pipe to the parent) alone. The
unshare calls must come before the process starts threads (a multi-threaded process cannot enter a
new user namespace).
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
METHODS = ("netns", "userns", "seccomp")

# seccomp constants (linux/seccomp.h, linux/filter.h, linux/audit.h)
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
# machine -> (AUDIT_ARCH_*, __NR_socket)
_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198), "arm64": (0xC00000B7, 198)}


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return _libc().unshare(flags) == 0


def _seccomp_no_inet() -> bool:
    """Install a filter: socket() for IPv4/IPv6 fails with EACCES; other calls are allowed."""
    arch = _ARCH.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit_arch, nr_socket = arch
    deny = _RET_ERRNO | errno.EACCES
    prog = [
        (_LD_W_ABS, 0, 0, 4),  # A = seccomp_data.arch
        (_JEQ_K, 1, 0, audit_arch),
        (_RET_K, 0, 0, deny),  # another ABI (e.g. 32-bit calls): refuse rather than guess numbers
        (_LD_W_ABS, 0, 0, 0),  # A = seccomp_data.nr
        (_JGE_K, 0, 1, 0x40000000),  # x32 numbers on x86-64: refuse
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 5, nr_socket),
        (_LD_W_ABS, 0, 0, 16),  # A = low half of args[0] (the address family; little-endian)
        (_JEQ_K, 2, 0, socket.AF_INET),
        (_JEQ_K, 1, 0, socket.AF_INET6),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny),
        (_RET_K, 0, 0, _RET_ALLOW),
    ]
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))
    fprog = _SockFprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


def isolate_network(methods: tuple[str, ...] = METHODS) -> str | None:
    """Cut this process off the network by the first method that works; its name, or None when
    none did (not Linux, or a kernel that forbids all three)."""
    for method in methods:
        if method == "netns" and _unshare(CLONE_NEWNET):
            return method
        if method == "userns" and _unshare(CLONE_NEWUSER | CLONE_NEWNET):
            return method
        if method == "seccomp" and _seccomp_no_inet():
            return method
    return None
