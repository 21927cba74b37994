# SPDX-License-Identifier: GPL-2.0
#
# hvl: hypervisor-less virtio backends, built out of tree.
#
#   make [KDIR=<kernel build dir>]   build the modules
#   make modules_install             install them (INSTALL_MOD_PATH, depmod)
#   make check                       static checks + KUnit + QEMU integration
#   make check-2m                    two QEMU machines over one shared memory
#                                    (HVL_ARCH=arm64: two arm64 ones)
#   make check-arm64                 KUnit + console, vsock, 9P tests on arm64 (QEMU virt)
#   make soak                        the long runs (SOAK_* sizes, see tests/qemu/soak.sh)
#   make demo                        boot the test board, show a console session
#   make bench-vsock                 vsock through the window vs vsock_loopback vs TCP
#   make bench-9p                    hvl_9p vs diod vs QEMU's -virtfs
#   make bench-net                   hvl_net vs veth vs hvl_vsock (iperf3, round trips)
#
# KDIR defaults to the project's own test-kernel build when it exists, else
# to the running kernel's headers.  Cross-compile as usual, e.g.
#   make KDIR=~/linux-arm64 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-

KDIR ?= $(shell tests/qemu/kernel.sh --path 2>/dev/null || \
		echo /lib/modules/$(shell uname -r)/build)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Into $(INSTALL_MOD_PATH)/lib/modules/<kernel release>/updates, kbuild's
# place for external modules, then depmod: modprobe, udev and mdev find
# the modules and their aliases (hvl:dNNNNNNNN, of:...).  Run after "make":
# installing does not build.
modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf .out .out-arm64

check:
	tests/qemu/check.sh

check-2m:
	tests/qemu/check-2m.sh

check-arm64:
	tests/qemu/check-arm64.sh

soak:
	tests/qemu/soak.sh

demo:
	tests/qemu/demo.sh

bench-%:
	tests/qemu/bench.sh $*

.PHONY: all modules modules_install clean check check-2m check-arm64 soak demo
