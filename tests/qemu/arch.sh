# SPDX-License-Identifier: GPL-2.0
# The guest's architecture, sourced by the scripts that build and boot
# the test guest (kernel.sh, tools.sh, initramfs.sh, dtb.sh, run.sh):
# HVL_ARCH=x86_64 (the default, make check) or arm64 (make check-arm64,
# cross-built, QEMU's virt board under TCG).  For arm64 it exports ARCH
# and CROSS_COMPILE, so every kbuild run (the kernel, our modules,
# modules_install) cross-builds; x86_64 leaves the environment alone.
hvl_arch=${HVL_ARCH:-x86_64}
case $hvl_arch in
x86_64)
	hvl_karch=x86_64
	hvl_cc=gcc
	hvl_image=arch/x86/boot/bzImage
	hvl_qemu=qemu-system-x86_64
	;;
arm64)
	hvl_karch=arm64
	hvl_cc=aarch64-linux-gnu-gcc
	hvl_image=arch/arm64/boot/Image
	hvl_qemu=qemu-system-aarch64
	export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	;;
*)
	echo "hvl: HVL_ARCH=$hvl_arch: must be x86_64 or arm64" >&2
	exit 1
	;;
esac
