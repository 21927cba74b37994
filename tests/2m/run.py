#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check-2m: two QEMU machines that share one memory, nothing else.

    run.py --kdir K --initrd I --out DIR --mode poll|irq [--server PROG]
           [--arch x86_64|arm64] --dtb-backend B --dtb-peer P
    run.py --arch arm64 --out DIR --mode poll --dumpdtb OUT   (the virt
           board's own tree, the base of the arm64 overlays)

One machine runs Linux with the backends (hvl_core, hvl_console,
hvl_vsock, hvl_9p), the other the peer (hvl_front and the stock virtio drivers).
Both map the same host file at one guest-physical address, 0x20000000
on x86 (0x60000000 on arm64, whose RAM starts at 1 GiB): the machine's
RAM is built from three NUMA nodes, 512 MiB of private RAM,
the 32 MiB shared file, 512 MiB of private RAM again, so the window is RAM
of each machine, in its linear map (the peer's restricted-dma-pool needs
that), below private RAM (early boot allocations come from the top of
RAM, before the device tree's reserved-memory is seen on x86) and at the
same address in both.  The test kernel has no CONFIG_NUMA: each machine
sees one flat 1056 MiB of RAM.

In "irq" mode each machine also has an ivshmem-doorbell PCI device (one
MSI-X vector) connected to tools/hvl-ivshmem-server, which gives the backend
machine ID 0 and the peer ID 1 by the socket each connects to.

Each machine runs tests/2m/agent.sh, which takes one shell command at a
time on its control port (x86: the second serial port; arm64, whose virt
board has one UART: a virtio-serial port); this script sends them, compares what
the two sides report, and writes "ok - name" / "not ok - name" lines to
DIR/host-results for report.py, with the console logs it names in
DIR/logs.  Measurements go to stdout as "HVL-2M: ..." lines.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time

SHM_SIZE = 32 << 20
BIG = 4 << 20


# Per architecture: the board, where its RAM starts (the shared file is
# the 32 MiB after its first 512 MiB), the kernel image, the console.
BOARD = {"x86_64": ["qemu-system-x86_64", "-M", "pc", "-cpu", "qemu64"],
         "arm64": ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57"]}
RAM_BASE = {"x86_64": 0, "arm64": 0x40000000}
IMAGE = {"x86_64": "arch/x86/boot/bzImage", "arm64": "arch/arm64/boot/Image"}
CONSOLE = {"x86_64": "ttyS0", "arm64": "ttyAMA0"}
RAM_LOW = 512 << 20


def machine(a, name, dumpdtb=None):
    """The machine of either side, memory and control network: what its
    device tree depends on (--dumpdtb takes the arm64 base tree from it)."""
    cmd = list(BOARD[a.arch])
    if dumpdtb:
        cmd[2] += ",dumpdtb=%s" % dumpdtb
    cmd += ["-accel", "tcg,thread=multi", "-smp", str(a.smp),
            "-m", "%dM" % (1024 + SHM_SIZE // (1 << 20)),
            "-object", "memory-backend-ram,id=ram0,size=%d" % RAM_LOW,
            "-object", "memory-backend-file,id=shm,mem-path=%s,size=%d,share=on"
            % (a.shm, SHM_SIZE),
            "-object", "memory-backend-ram,id=ram1,size=%d" % ((1 << 30) - RAM_LOW),
            "-numa", "node,nodeid=0,memdev=ram0",
            "-numa", "node,nodeid=1,memdev=shm",
            "-numa", "node,nodeid=2,memdev=ram1",
            "-nographic", "-no-reboot", "-nodefaults", "-net", "none"]
    # The control network: vsock_test's TCP connection (services()), a
    # virtio-net card joined to the other machine's by UDP on the host,
    # which survives either machine's restart.  The window carries none
    # of it, and none of the window goes through it.
    mine, other = a.ctl_ports[name], a.ctl_ports["peer" if name == "backend" else "backend"]
    cmd += ["-netdev", "socket,id=ctl,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (other, mine)]
    mac = "52:54:00:00:2e:%02x" % (1 if name == "backend" else 2)
    if a.arch == "arm64":
        cmd += ["-device", "virtio-net-device,netdev=ctl,mac=%s" % mac]
    else:
        cmd += ["-device", "virtio-net-pci,netdev=ctl,addr=0x5,mac=%s" % mac]
    return cmd


class Guest:
    """One QEMU machine and the agent on its control port."""

    def __init__(self, name, args, dtb, ivshmem_sock):
        self.name = name
        self.args = args
        self.dtb = dtb
        self.ivshmem_sock = ivshmem_sock
        self.boots = 0
        self.proc = None
        self.sock = None
        self.buf = b""
        self.seq = 0
        self.log = None

    def start(self):
        a = self.args
        self.boots += 1
        suffix = "" if self.boots == 1 else "-%d" % self.boots
        self.log = os.path.join(a.out, "console-%s-%s%s.log" % (a.mode, self.name, suffix))
        self.ctl = os.path.join(a.out, "%s.ctl" % self.name)
        if os.path.exists(self.ctl):
            os.unlink(self.ctl)
        cmd = machine(a, self.name) + [
               "-chardev", "file,id=con,path=%s" % self.log,
               "-serial", "chardev:con",
               "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % self.ctl]
        if a.arch == "arm64":
            # The virt board has one UART: a virtio-serial port instead
            # (tests/2m/agent.sh finds it by its name).
            cmd += ["-device", "virtio-serial-device",
                    "-device", "virtserialport,chardev=ctl,name=hvl.ctl"]
        else:
            cmd += ["-serial", "chardev:ctl"]
        if self.ivshmem_sock:
            # Slot 4: the device-tree node's unit address (tests/2m/ivshmem-*.dtso).
            cmd += ["-chardev", "socket,id=ivs,path=%s" % self.ivshmem_sock,
                    "-device", "ivshmem-doorbell,chardev=ivs,vectors=1,ioeventfd=off,addr=0x4"]
        cmd += ["-kernel", os.path.join(a.kdir, IMAGE[a.arch]),
                "-initrd", a.initrd, "-dtb", self.dtb,
                "-append", "console=%s loglevel=5 panic=-1 oops=panic "
                "panic_on_warn=1 softlockup_panic=1 kasan.fault=panic hvl.mode=2m %s"
                % (CONSOLE[a.arch], a.cmdline)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log + ".qemu", "w"),
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.sock = None
        self.buf = b""

    def ready(self, limit):
        end = time.time() + limit
        while self.sock is None:
            if self.proc.poll() is not None:
                raise RuntimeError("%s: QEMU exited (%s)" % (self.name, self.qemu_log()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.ctl)
                self.sock = s
            except OSError:
                if time.time() > end:
                    raise RuntimeError("%s: no control socket" % self.name)
                time.sleep(0.2)
        # What the guest writes to ttyS1 before we connect is lost, and
        # what we write before its driver is up may be: ask until the
        # agent answers.
        n = 0
        while True:
            n += 1
            self.sock.sendall(("p%d true\n" % n).encode())
            try:
                return self._line_until(lambda l: l.startswith("HVL-RC p"),
                                        min(end, time.time() + 2))
            except TimeoutError:
                if time.time() > end:
                    raise

    def qemu_log(self):
        try:
            return open(self.log + ".qemu").read().strip()[-500:]
        except OSError:
            return ""

    def _line_until(self, pred, end, out=None):
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                line = raw.decode(errors="replace").rstrip("\r")
                if pred(line):
                    return line
                if out is not None and not line.startswith("HVL-RC p"):
                    out.append(line)
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("%s: no answer in time" % self.name)
            self.sock.settimeout(min(left, 1.0))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError("%s: QEMU exited" % self.name)
                continue
            if not data:
                raise RuntimeError("%s: control connection closed" % self.name)
            self.buf += data

    def run(self, cmd, limit=60):
        """Run one command in the guest: (status, output lines)."""
        self.seq += 1
        tag = "HVL-RC %d " % self.seq
        self.sock.sendall(("%d %s\n" % (self.seq, cmd)).encode())
        out = []
        try:
            line = self._line_until(lambda l: l.startswith(tag), time.time() + limit, out)
            rc = int(line[len(tag):])
        except TimeoutError:
            # The command still runs: its answer, when it comes, is
            # skipped as the next command's output.
            out.append("(no answer in %d s)" % limit)
            rc = 124
        for l in out:
            print("  %s: %s" % (self.name, l))
        return rc, out

    def finish(self, limit=120):
        """Have the guest print its log and HVL-DONE, and wait for QEMU."""
        if self.proc is None:
            return
        if self.sock is not None and self.proc.poll() is None:
            try:
                self.sock.sendall(b"0 finish\n")
            except OSError:
                pass
            try:
                self.proc.wait(limit)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Run:
    def __init__(self, args):
        self.args = args
        self.results = open(os.path.join(args.out, "host-results"), "a")
        self.logs = []

    def result(self, name, ok, why=""):
        name = "2m %s: %s" % (self.args.mode, name)
        self.results.write("%s - %s\n" % ("ok" if ok else "not ok", name))
        self.results.flush()
        print("%s - %s%s" % ("ok" if ok else "not ok", name, (": " + why) if why and not ok else ""))
        return ok


def one(out, key):
    for l in out:
        m = re.match(r"^%s (.*)$" % key, l)
        if m:
            return m.group(1)
    return None


def counters(g):
    rc, out = g.run("counters")
    v = one(out, "db rung")
    if rc or v is None:
        return None
    m = re.match(r"(\d+) received (\d+)", v)
    return (int(m.group(1)), int(m.group(2))) if m else None


def console_runs(g):
    """How many times the backend's console work item ran so far."""
    rc, out = g.run("echo runs $(devdbg 3 runs)")
    v = one(out, "runs")
    return int(v) if rc == 0 and v and v.isdigit() else None


def verdict(snd, rcv, ran, want, got, dt):
    """A transfer's (ok, seconds, why); a failed one prints each side's
    rings and doorbells (diag) into this run's output."""
    ok = bool(ran and want and want == got)
    if not ok:
        snd.run("diag")
        rcv.run("diag")
    return ok, dt, "sent %s, received %s" % (want, got)


def console_xfer(r, snd, rcv, what, size, limit):
    """Send a file through the console from snd to rcv; compare checksums."""
    if size <= 64:
        rc, out = snd.run("printf '%%s\\n' '%s' >/tmp/tx; sum /tmp/tx" % what)
    elif size % 1024:
        rc, out = snd.run("head -c %d /dev/urandom >/tmp/tx; sum /tmp/tx" % size)
    else:
        rc, out = snd.run("mkdata /tmp/tx %d" % (size // 1024))
    want = one(out, "sha256")
    n = size if size > 64 else len(what) + 1
    rc2, _ = rcv.run("rx_start %d" % n)
    t0 = time.time()
    rc3, _ = snd.run("tx /tmp/tx", limit)
    rc4, out = rcv.run("rx_wait %d %d" % (n, limit), limit + 10)
    dt = time.time() - t0
    got = one(out, "sha256")
    return verdict(snd, rcv, rc == rc2 == rc3 == rc4 == 0, want, got, dt)


def vsock_xfer(r, snd, rcv, cid, port, size, limit):
    rc, out = snd.run("mkdata /tmp/vtx %d" % (size // 1024))
    want = one(out, "sha256")
    rc2, _ = rcv.run("vsock_listen %d" % port)
    t0 = time.time()
    rc3, _ = snd.run("vsock_send %d %d /tmp/vtx" % (cid, port), limit)
    rc4, out = rcv.run("vsock_wait %d %d" % (size, limit), limit + 10)
    dt = time.time() - t0
    got = one(out, "sha256")
    return verdict(snd, rcv, rc == rc2 == rc3 == rc4 == 0, want, got, dt)


def bring_up(r, be, fe, mod, order):
    """Load the modules on both machines, in the order given."""
    tag = "" if order == "backend first" else "peer first: "
    if order != "backend first":
        rc, out = fe.run("fe_load %s" % mod, 60)
        if not r.result(tag + "peer: hvl_front loads with no backend yet", rc == 0,
                        "\n".join(out)):
            return False
        time.sleep(3)
    rc, out = be.run("be_up %s" % mod, 120)
    if not r.result(tag + "backend: window, console, vsock and 9P up", rc == 0,
                    "\n".join(out)):
        return False
    rc, out = fe.run(("fe_up %s" % mod) if order == "backend first" else "fe_wait", 180)
    return r.result(tag + "peer: virtio_console, virtio_vsock and 9pnet_virtio bound "
                    "through hvl_front",
                    rc == 0, "\n".join(out))


def basic(r, be, fe, args):
    """Console text both ways, then the long transfers, with the doorbell counts."""
    for snd, rcv, text in ((be, fe, "hello from linux, across machines"),
                           (fe, be, "hello from the peer, across machines")):
        ok, dt, why = console_xfer(r, snd, rcv, text, 0, 60)
        r.result("console text %s -> %s" % (snd.name, rcv.name), ok, why)

    c0 = (counters(be), counters(fe))
    for snd, rcv in ((fe, be), (be, fe)):
        ok, dt, why = console_xfer(r, snd, rcv, None, args.big, 300)
        r.result("console %d KiB %s -> %s, checksum" % (args.big >> 10, snd.name, rcv.name),
                 ok, why)
        if ok:
            print("HVL-2M: %s: console %s -> %s: %d KiB in %.1f s, %.2f MiB/s"
                  % (args.mode, snd.name, rcv.name, args.big >> 10, dt,
                     args.big / dt / (1 << 20)))
    c1 = (counters(be), counters(fe))
    report_counters(r, args, "console", c0, c1, check=True)

    c0 = (counters(be), counters(fe))
    runs0 = console_runs(be)
    # Linux is CID 2 to the peer, the peer CID 3 (hvl,cid).
    for snd, rcv, cid, port in ((fe, be, 2, 5000), (be, fe, 3, 5001)):
        ok, dt, why = vsock_xfer(r, snd, rcv, cid, port, args.big, 300)
        r.result("vsock %d KiB %s -> %s, checksum" % (args.big >> 10, snd.name, rcv.name),
                 ok, why)
        if ok:
            print("HVL-2M: %s: vsock %s -> %s: %d KiB in %.1f s, %.2f MiB/s"
                  % (args.mode, snd.name, rcv.name, args.big >> 10, dt,
                     args.big / dt / (1 << 20)))
    c1 = (counters(be), counters(fe))
    runs1 = console_runs(be)
    report_counters(r, args, "vsock", c0, c1, check=False)
    # The console, idle, has the receive buffers the peer refilled after
    # the transfers above: seen and left for later (hvl_vq_defer()), they
    # are no news to the doorbells and polls of vsock's traffic.  Before,
    # the console's work item ran for them: 140 times over these 8 MiB
    # (arm64, with the doorbell).
    r.result("the idle console's work item during the vsock transfers: "
             "%s runs (at most 4)" % (runs1 - runs0 if None not in (runs0, runs1) else "?"),
             None not in (runs0, runs1) and runs1 - runs0 <= 4,
             "runs before %s, after %s" % (runs0, runs1))


def services(r, be, fe, args):
    """What make check runs in one kernel, across the two machines: fio
    with verification on the peer's 9P mount of the backend's export, and
    every file the same on both sides; 64 MiB through vsock, 4
    connections each way at once, checksummed; the kernel's vsock_test
    both ways (its control connection on the control network)."""
    rc, out = fe.run("fe_fio", 900)
    r.result("9P: the peer mounts the backend's export, fio writes and verifies",
             rc == 0, "\n".join(out))
    if rc == 0:
        mine = [l for l in out if l.startswith("file ")]
        rc2, out2 = be.run("sums $EXPORT; rm -f $EXPORT/*")
        theirs = [l for l in out2 if l.startswith("file ")]
        r.result("9P: the fio files the same on both machines (%d)" % len(mine),
                 rc2 == 0 and mine and mine == theirs,
                 "peer %s, backend %s" % (mine, theirs))
        cs = one(out, "cs")
        if cs:
            print("HVL-2M: %s: 9P: fio (8 MiB sequential, 1 MiB random, each "
                  "written and verified) in %.1f s" % (args.mode, int(cs) / 100.0))

    n, mib = 4, max(1, args.integrity_mib // 8)
    c0 = (counters(be), counters(fe))
    for snd, rcv, cid, port in ((fe, be, 2, 5100), (be, fe, 3, 5200)):
        rc, out = rcv.run("vpar_listen %d %d" % (port, n))
        rc2, out2 = snd.run("vpar_send %d %d %d %d" % (cid, port, n, mib), 900)
        rc3, out3 = rcv.run("vpar_wait %d %d 300" % (n, mib << 20), 320)
        sent = [l for l in out2 if l.startswith("conn ")]
        got = [l for l in out3 if l.startswith("conn ")]
        ok = rc == rc2 == rc3 == 0 and len(sent) == n and sent == got
        r.result("vsock %d x %d MiB %s -> %s at once, checksums" % (n, mib, snd.name, rcv.name),
                 ok, "\n".join(out + out2 + out3))
        cs = one(out2, "cs")
        if ok and cs:
            print("HVL-2M: %s: vsock %d connections %s -> %s: %d MiB in %.1f s, %.2f MiB/s"
                  % (args.mode, n, snd.name, rcv.name, n * mib, int(cs) / 100.0,
                     n * mib * 100.0 / max(int(cs), 1)))
    c1 = (counters(be), counters(fe))
    report_counters(r, args, "vsock %d MiB" % (2 * n * mib), c0, c1, check=False,
                    mib=2 * n * mib)

    rc, out = be.run("ctl_net 1")
    rc2, out2 = fe.run("ctl_net 2 && retry 100 ping -c 1 -W 1 10.9.0.1 >/dev/null && echo up", 30)
    if not r.result("vsock_test: the control network is up", rc == rc2 == 0,
                    "\n".join(out + out2)):
        return
    # Linux (the backend, CID 2 to the peer) serves first, then the peer.
    for srv, cli, srv_addr, srv_peer, cli_peer in ((be, fe, "10.9.0.1", 3, 2),
                                                   (fe, be, "10.9.0.2", 2, 3)):
        t0 = time.time()
        rc, out = srv.run("vt_server %d" % srv_peer, 30)
        rc2, out2 = cli.run("vt_client %s %d" % (srv_addr, cli_peer), 900)
        rc3, out3 = srv.run("vt_server_wait", 60)
        r.result("vsock_test: %s serves, %s is the client" % (srv.name, cli.name),
                 rc == rc2 == rc3 == 0, "\n".join(out + out2 + out3))
        print("HVL-2M: %s: vsock_test, %s serving: %s in %.0f s"
              % (args.mode, srv.name, one(out2, "cases") or "?", time.time() - t0))


def console_loop(r, be, fe, args):
    """The console's last exchanges, many times: transfers both ways of
    sizes that end on a receive buffer's edge and off it, each followed
    by both machines going idle.  A stall at the end of a transfer (the
    stock hvc's, once in 19 arm64 runs of basic(): testing.rst) shows
    up here many times sooner than by rerunning everything; the first
    failure stops the loop, with diag's rings and tty in the output."""
    sizes = (4 << 20, 4096, 64 << 10, 4095, 256 << 10, 4097, 1 << 20)
    t0, ok, n = time.time(), True, 0
    for i in range(args.console_loops):
        size = sizes[i % len(sizes)]
        for snd, rcv in ((be, fe), (fe, be)):
            ok, dt, why = console_xfer(r, snd, rcv, None, size, 120)
            n += 1
            if not ok:
                # Late, or never: the reader's file and the tty 10 s on.
                time.sleep(10)
                rc, out = rcv.run('echo "later: $(wc -c </tmp/rx) bytes, '
                                  '$(hvl-raw -n "$(tty_dev)" 2>&1)"')
                why += "; " + " ".join(out)
                # Stuck or lost: 4 KiB more behind them, and the reader's
                # first bytes are the transfer's if they were only stuck.
                rc, out = snd.run("sum /tmp/tx; head -c 4096 /dev/zero >/tmp/pad; "
                                  "tx /tmp/pad", 60)
                want = one(out, "sha256")
                rc, out = rcv.run("rx_wait %d 30" % size, 40)
                got = one(out, "sha256")
                why += "; with 4 KiB more sent: %s" % (
                    "the transfer's bytes, only stuck" if got and got == want
                    else "read %s" % got)
                break
        if not ok:
            break
    r.result("console loop: %d transfers of 4 KiB - 4 MiB both ways, checksums"
             % n, ok, "" if ok else "transfer %d of %d bytes %s -> %s: %s"
             % (n, size, snd.name, rcv.name, why))
    print("HVL-2M: %s: console loop: %d transfers in %.0f s"
          % (args.mode, n, time.time() - t0))


def report_counters(r, args, what, c0, c1, check, mib=None):
    if None in c0 + c1:
        r.result("%s: doorbell counters readable" % what, False, "%s %s" % (c0, c1))
        return
    mib = mib or 2 * args.big / (1 << 20)
    print("HVL-2M: %s: %s, per MiB: backend rang %.0f and took %.0f, "
          "peer rang %.0f and took %.0f%s"
          % (args.mode, what, (c1[0][0] - c0[0][0]) / mib, (c1[0][1] - c0[0][1]) / mib,
             (c1[1][0] - c0[1][0]) / mib, (c1[1][1] - c0[1][1]) / mib,
             " ('took' counts polls)" if args.mode == "poll" else ""))
    if not check:
        return
    if args.mode == "poll":
        r.result("no doorbell rung in polling mode",
                 c1[0][0] == 0 and c1[1][0] == 0, "counters %s" % (c1,))
    else:
        r.result("doorbells rung and received on both machines",
                 min(c1[0][0] - c0[0][0], c1[0][1] - c0[0][1],
                     c1[1][0] - c0[1][0], c1[1][1] - c0[1][1]) > 0,
                 "before %s, after %s" % (c0, c1))


def crash(r, be, fe, mod, args):
    """Kill the peer's QEMU in the middle of a transfer, boot it again.

    Linux watches the peer's beat (hvl_core peer_watchdog_ms=3000: the
    host may stall a machine for seconds): it must give the dead peer up,
    resetting its connection, before the peer comes back, and exactly
    once.  The watch is turned off again before the peer comes back.
    """
    rc, out = be.run("window peer_gen")
    gen0 = int(out[-1]) if rc == 0 and out and out[-1].isdigit() else None
    rc, out = be.run("echo 3000 >/sys/module/hvl_core/parameters/peer_watchdog_ms"
                     " && window peer_silences")
    r.result("crash: Linux watches the peer (peer_watchdog_ms=3000)",
             bool(rc == 0 and out and out[-1] == "0"), "\n".join(out))
    # A 9P mount with a file open: the fids Linux must free.
    rc, out = fe.run("fe_p9_hold", 60)
    rc2, out2 = be.run("retry 100 p9_fids_some && echo fids $(p9dbg fids)", 30)
    held = r.result("crash: the peer holds 9P fids (a mount, a file open)",
                    rc == rc2 == 0, "\n".join(out + out2))
    # Large enough to be under way when the kill comes, at 2.6 MiB/s.
    size = 16 << 20
    rc, out = fe.run("mkdata /tmp/vtx %d" % (size // 1024), 120)
    rc2, _ = be.run("vsock_listen 5002")
    rc3, _ = fe.run("vsock_send 2 5002 /tmp/vtx >/tmp/vs.log 2>&1 &")
    got = 0
    end = time.time() + 60
    while time.time() < end:
        rc4, out = be.run("rxsize")
        got = int(out[-1]) if rc4 == 0 and out and out[-1].isdigit() else 0
        if got > 0:
            break
        time.sleep(0.5)
    ok = rc == 0 and rc2 == 0 and rc3 == 0 and 0 < got < size
    r.result("crash: transfer under way when the peer is killed", ok,
             "%d of %d bytes" % (got, size))
    fe.kill()
    t_kill = time.time()
    # Killed on purpose: scanned for kernel reports, no HVL-DONE expected.
    r.logs.append("scan:" + fe.log)
    print("HVL-2M: %s: peer killed after %d of %d bytes" % (args.mode, got, size))
    # Linux alone: it gives the peer up after the watchdog time (plus a
    # tick of the watch and of the dead peer's last beat), the Linux end
    # of the connection, blocked in a read, ends.
    rc, out = be.run("retry 100 [ -e /tmp/vrx.done ] && echo ended at $(rxsize)", 30)
    dt = time.time() - t_kill
    r.result("crash: the dead peer's vsock connection is reset before it comes back",
             rc == 0 and dt < 15, "%.1f s after the kill: %s" % (dt, "\n".join(out)))
    print("HVL-2M: %s: the dead peer's connection reset %.1f s after the kill" %
          (args.mode, dt))
    rc, out = be.run("window peer_silences; dmesg | grep 'peer silent for' | tail -1;"
                     " echo 0 >/sys/module/hvl_core/parameters/peer_watchdog_ms")
    r.result("crash: Linux gave the dead peer up once", bool(rc == 0 and out and
             out[0] == "1" and "peer silent for" in out[-1]), "\n".join(out))
    if held:
        rc, out = be.run("retry 100 p9_fids_none; echo fids $(p9dbg fids)", 30)
        r.result("crash: the dead peer's 9P fids freed", rc == 0 and "fids 0" in out,
                 "\n".join(out))
    rc, out = be.run("echo alive; vdbg queued")
    r.result("crash: Linux runs on with the peer gone", rc == 0 and "alive" in out,
             "\n".join(out))
    fe.start()
    try:
        fe.ready(args.boot_limit)
        ok, why = True, ""
    except Exception as e:
        ok, why = False, str(e)
    if not r.result("crash: peer machine boots again", ok, why):
        return
    rc, out = fe.run("fe_up %s" % mod, 180)
    if not r.result("crash: the new peer's drivers bind", rc == 0, "\n".join(out)):
        return
    rc, out = be.run("window peer_gen")
    gen1 = int(out[-1]) if rc == 0 and out and out[-1].isdigit() else None
    r.result("crash: Linux saw the new peer (peer_gen %s -> %s)" % (gen0, gen1),
             gen0 is not None and gen1 is not None and gen1 > gen0)
    rc, out = be.run("echo queued $(vdbg queued) bytes $(vdbg queued_bytes) "
                     "resets $(vdbg peer_resets)")
    q = one(out, "queued")
    r.result("crash: nothing queued for the dead peer", q is not None and
             q.startswith("0 bytes 0 "), "\n".join(out))
    for snd, rcv, text in ((be, fe, "hello to the new peer"),
                           (fe, be, "hello from the new peer")):
        ok, dt, why = console_xfer(r, snd, rcv, text, 0, 60)
        r.result("crash: console text %s -> %s" % (snd.name, rcv.name), ok, why)
    for snd, rcv, cid, port in ((fe, be, 2, 5003), (be, fe, 3, 5004)):
        ok, dt, why = vsock_xfer(r, snd, rcv, cid, port, 256 << 10, 120)
        r.result("crash: vsock 256 KiB %s -> %s" % (snd.name, rcv.name), ok, why)


def peer_field(out, key):
    """The number after "<key> " in the first line that has one."""
    for l in out:
        m = re.search(r"\b%s (\d+)" % key, l)
        if m:
            return int(m.group(1))
    return None


def reboot(r, be, fe, mod, args, how):
    """The backend machine goes (how: "crash", its QEMU killed, or
    "reboot", reboot -f in it) while the peer streams both ways through
    vsock and the console.  The peer's blocked programs must return, its
    devices go, and they come back, the peer running on, when a new
    backend machine has loaded hvl_core over the window the old one left."""
    tag = "backend %s: " % how
    rc, out = fe.run("front_status; echo expired $(front expired)")
    st0 = peer_field(out, "host_gen")
    exp0 = peer_field(out, "expired")
    rc, out = be.run("window peer_gen")
    pgen0 = int(out[-1]) if rc == 0 and out and out[-1].isdigit() else None
    rc, out = be.run("be_live", 60)
    rc2, out2 = fe.run("fe_live 5021", 60)
    rc3, out3 = be.run("be_vsend 5021", 60)
    ok = rc == rc2 == rc3 == 0
    # Traffic under way, every way: the backend's counters move.
    keys = ("vdbg to_peer_bytes", "vdbg from_peer_bytes",
            "cdbg to_peer_bytes", "cdbg from_peer_bytes")
    cmd = "; ".join("echo %s %s $(%s)" % (k[0], k.split()[1], k) for k in keys)
    moved = []
    if ok:
        _, a = be.run(cmd)
        time.sleep(1)
        _, b = be.run(cmd)
        moved = [x != y for x, y in zip(a, b)]
        ok = len(moved) == 4 and all(moved)
    rc, live = fe.run("fe_ended")
    ok = ok and all(l.endswith("running") for l in live)
    if not r.result(tag + "traffic both ways on vsock and the console", ok,
                    "\n".join(out + out2 + out3 + live + ["moved %s" % moved])):
        return False

    if how == "crash":
        be.kill()
    else:
        be.sock.sendall(b"0 reboot -f\n")
        try:
            be.proc.wait(60)
        except subprocess.TimeoutExpired:
            pass
        r.result(tag + "QEMU exits (-no-reboot)", be.proc.poll() is not None)
        be.kill()
    rc, out = fe.run("now")
    cs_gone = int(out[-1]) if rc == 0 and out and out[-1].isdigit() else None
    # No HVL-DONE from it: scanned for kernel reports only.
    r.logs.append("scan:" + be.log)
    # The next backend machine boots meanwhile: nothing of it touches
    # the window before be_up loads hvl_core, after the checks below.
    t1 = time.time()
    be.start()

    # The peer: every blocked program returns, the devices go.
    end = time.time() + 60
    while True:
        rc, live = fe.run("fe_ended")
        if not any(l.endswith("running") for l in live) or time.time() > end:
            break
        time.sleep(0.5)
    ok = rc == 0 and not any(l.endswith("running") for l in live)
    r.result(tag + "the peer's programs on vsock and the console return", ok,
             "\n".join(live))
    cs = [int(l.split()[4]) for l in live if len(l.split()) > 4 and l.split()[3] == "cs"]
    if ok and cs_gone is not None and len(cs) == 4:
        print("HVL-2M: %s: backend %s: the peer's programs returned %.1f to %.1f s "
              "after its QEMU %s" % (args.mode, how, (min(cs) - cs_gone) / 100.0,
                                     (max(cs) - cs_gone) / 100.0,
                                     "was killed" if how == "crash" else "exited"))
    # The writers fail; the readers see the end of their stream.
    bad = [l for l in live if l.split()[0] in ("vsend", "ctx") and " rc 0 " in l]
    r.result(tag + "the peer's writers get an error", ok and not bad, "\n".join(live))
    # hvl_front's reaper removes the drivers after the devices went.
    rc, out = fe.run("retry 100 fe_gone; front_status; echo expired $(front expired) "
                     "state $(front state) silence $(front last_silence_ms); "
                     "front_bound virtio_console && echo console still bound; "
                     "front_bound vmw_vsock_virtio_transport && echo vsock still bound; "
                     "front_bound 9pnet_virtio && echo 9P still bound; "
                     "echo alive", 30)
    exp1 = peer_field(out, "expired")
    ok = (rc == 0 and peer_field(out, "online") == 0 and
          not any("still bound" in l for l in out) and "alive" in out)
    r.result(tag + "the peer's devices are removed, the peer runs on", ok, "\n".join(out))
    r.result(tag + "the peer's watchdog saw the silence (expired %s -> %s)"
             % (exp0, exp1), exp0 is not None and exp1 == exp0 + 1, "\n".join(out))
    # The holder's tty belongs to an hvc port that is gone: close it now,
    # before a new console makes khvcd poll.  Closed later, the stock hvc
    # layer freed its buffers while khvcd still polled the old port
    # (KASAN: slab-use-after-free in __tty_buffer_request_room() from
    # khvcd, testing.rst "Two machines").
    fe.run("kill $(cat /tmp/holder) 2>/dev/null; true")

    # The backend machine again, over the window the old one left.
    try:
        be.ready(args.boot_limit)
        ok, why = True, ""
    except Exception as e:
        ok, why = False, str(e)
    if not r.result(tag + "backend machine boots again", ok, why):
        return False
    rc, out = be.run("be_up %s" % mod, 120)
    if not r.result(tag + "backend: window, console, vsock and 9P up over the old window",
                    rc == 0, "\n".join(out)):
        return False
    # The old console is gone with its tty: hold the new one.
    rc, out = fe.run("fe_wait", 180)
    if not r.result(tag + "the peer's devices come back, no reboot, no rebind",
                    rc == 0, "\n".join(out)):
        return False
    print("HVL-2M: %s: backend %s: the peer's devices back %.1f s after the "
          "backend machine was started" % (args.mode, how, time.time() - t1))
    rc, out = fe.run("front_status")
    st1 = peer_field(out, "host_gen")
    r.result(tag + "the new backend's host_gen follows the old one (%s -> %s)"
             % (st0, st1), st0 is not None and st1 is not None and st1 > st0,
             "\n".join(out))
    rc, out = be.run("window peer_gen")
    pgen1 = int(out[-1]) if rc == 0 and out and out[-1].isdigit() else None
    r.result(tag + "the new backend saw the peer restart (peer_gen %s -> %s)"
             % (pgen0, pgen1), pgen0 is not None and pgen1 is not None and pgen1 > pgen0,
             "\n".join(out))
    for snd, rcv, text in ((be, fe, "hello after the backend %s" % how),
                           (fe, be, "hello to the backend after its %s" % how)):
        ok, _, why = console_xfer(r, snd, rcv, text, 0, 60)
        r.result(tag + "console text %s -> %s" % (snd.name, rcv.name), ok, why)
    for snd, rcv, cid, port in ((fe, be, 2, 5022), (be, fe, 3, 5023)):
        ok, _, why = vsock_xfer(r, snd, rcv, cid, port, 256 << 10, 120)
        r.result(tag + "vsock 256 KiB %s -> %s" % (snd.name, rcv.name), ok, why)
    return True


def boot(r, be, fe, args, tag=""):
    t0 = time.time()
    be.start()
    fe.start()
    for g in (be, fe):
        try:
            g.ready(args.boot_limit)
            ok, why = True, ""
        except Exception as e:
            ok, why = False, str(e)
        if not r.result("%s%s machine boots" % (tag, g.name), ok, why):
            return False
        # The shared file is no machine's RAM: a page of it left to the
        # page allocator is one the other machine writes too.  The
        # device tree must reserve all of it (e820 calls it RAM).
        rc, out = g.run("dmesg | grep 'OF: reserved mem: 0x'")
        spans = sorted(tuple(int(x, 16) for x in m.groups())
                       for m in (re.search(r"mem: (0x[0-9a-f]+)\.\.(0x[0-9a-f]+)", l)
                                 for l in out) if m)
        base = RAM_BASE[args.arch] + RAM_LOW
        at = base
        for a, b in spans:
            if a <= at <= b:
                at = b + 1
        r.result("%s%s machine: all of the shared file is reserved memory" % (tag, g.name),
                 rc == 0 and at >= base + SHM_SIZE,
                 "unreserved from %#x: %s" % (at, "; ".join(out)))
    print("HVL-2M: %s: both machines up after %.0f s" % (args.mode, time.time() - t0))
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kdir", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--mode", choices=["poll", "irq"], required=True)
    p.add_argument("--arch", choices=["x86_64", "arm64"],
                   default=os.environ.get("HVL_ARCH", "x86_64"))
    p.add_argument("--dumpdtb", help="arm64: write the board's own tree there and exit")
    p.add_argument("--dtb-backend")
    p.add_argument("--dtb-peer")
    p.add_argument("--server", help="tools/hvl-ivshmem-server, for --mode irq")
    p.add_argument("--cmdline", default="", help="more kernel parameters, both machines")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--big", type=int, default=BIG, help="bytes of the long transfers")
    p.add_argument("--boot-limit", type=int, default=240)
    p.add_argument("--integrity-mib", type=int, default=64,
                   help="MiB through vsock in services(), half each way")
    p.add_argument("--console-loops", type=int,
                   default=int(os.environ.get("HVL_2M_CONSOLE_LOOPS", "50")),
                   help="rounds of console-loop (each a transfer both ways)")
    p.add_argument("--scenarios",
                   help="besides the basic run: services (9P with fio, vsock "
                   "integrity, vsock_test), crash (kill and restart the peer), "
                   "backend-crash (kill and restart the backend's machine), "
                   "backend-reboot (reboot -f in it), peer-first (the other boot "
                   "order), console-loop (console transfers until one fails, "
                   "--console-loops rounds); default all but backend-reboot "
                   "polled and console-loop")
    args = p.parse_args()
    if args.scenarios is None:
        # A clean reboot takes the peer's path of a crash (hvl_core has no
        # shutdown hook): once, with the doorbell, is enough.
        args.scenarios = "services,crash,backend-crash,%speer-first" % (
            "backend-reboot," if args.mode == "irq" else "")
    args.shm = os.path.join(args.out, "shm-%s" % args.mode)
    with open(args.shm, "wb") as f:
        f.truncate(SHM_SIZE)
    # The control network's two UDP ports (machine()).
    # Both held while choosing, so that they differ.
    args.ctl_ports, held = {}, []
    for name in ("backend", "peer"):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        held.append(u)
        args.ctl_ports[name] = u.getsockname()[1]
    for u in held:
        u.close()
    if args.dumpdtb:
        if args.arch != "arm64":
            p.error("--dumpdtb: the x86 machines boot the test board's own tree")
        sys.exit(subprocess.call(machine(args, "backend", args.dumpdtb),
                                 stdin=subprocess.DEVNULL))
    if not args.dtb_backend or not args.dtb_peer:
        p.error("--dtb-backend and --dtb-peer are required")

    r = Run(args)
    server = None
    sock = {"backend": None, "peer": None}
    if args.mode == "irq":
        base = os.path.join(args.out, "ivshmem-%s" % os.getpid())
        server = subprocess.Popen([args.server, "-S", base, "-n", "2"],
                                  stdout=open(os.path.join(args.out, "ivshmem-server.log"), "w"),
                                  stderr=subprocess.STDOUT)
        for _ in range(50):
            if os.path.exists(base + ".1"):
                break
            time.sleep(0.1)
        sock = {"backend": base + ".0", "peer": base + ".1"}
    be = Guest("backend", args, args.dtb_backend, sock["backend"])
    fe = Guest("peer", args, args.dtb_peer, sock["peer"])
    mod = "hvl_mbox_ivshmem" if args.mode == "irq" else ""
    t_start = time.time()
    try:
        if boot(r, be, fe, args) and bring_up(r, be, fe, mod, "backend first"):
            basic(r, be, fe, args)
            if "services" in args.scenarios.split(","):
                t0 = time.time()
                services(r, be, fe, args)
                print("HVL-2M: %s: services: %.0f s in all" % (args.mode, time.time() - t0))
            if "console-loop" in args.scenarios.split(","):
                console_loop(r, be, fe, args)
            if "crash" in args.scenarios.split(","):
                crash(r, be, fe, mod, args)
            for how in ("crash", "reboot"):
                if "backend-" + how in args.scenarios.split(","):
                    t0 = time.time()
                    reboot(r, be, fe, mod, args, how)
                    print("HVL-2M: %s: backend %s: %.0f s in all"
                          % (args.mode, how, time.time() - t0))
        if "peer-first" in args.scenarios.split(","):
            fe.finish()
            be.finish()
            r.logs += [be.log, fe.log]
            if boot(r, be, fe, args, "peer first: ") and \
               bring_up(r, be, fe, mod, "peer first"):
                for snd, rcv, text in ((be, fe, "hello, peer booted first"),
                                       (fe, be, "hello from the peer that booted first")):
                    ok, dt, why = console_xfer(r, snd, rcv, text, 0, 60)
                    r.result("peer first: console text %s -> %s" % (snd.name, rcv.name),
                             ok, why)
                for snd, rcv, cid, port in ((fe, be, 2, 5010), (be, fe, 3, 5011)):
                    ok, dt, why = vsock_xfer(r, snd, rcv, cid, port, 256 << 10, 120)
                    r.result("peer first: vsock 256 KiB %s -> %s" % (snd.name, rcv.name),
                             ok, why)
    except Exception as e:
        r.result("harness", False, "%s: %s" % (type(e).__name__, e))
    finally:
        fe.finish()
        be.finish()
        if server is not None:
            server.terminate()
            server.wait()
        for g in (be, fe):
            if g.log and g.log not in r.logs:
                r.logs.append(g.log)
        with open(os.path.join(args.out, "logs"), "a") as f:
            for l in r.logs:
                f.write(l + "\n")
        print("HVL: 2m-%s took %d s" % (args.mode, time.time() - t_start))


if __name__ == "__main__":
    main()
