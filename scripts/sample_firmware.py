#!/usr/bin/env python3
"""sample_firmware.py OUT_DIR - writes the demo's sample firmware twice:
OUT_DIR/shipped (a product with mistakes from every group of the field
report) and OUT_DIR/hardened (the same product fixed).  Each has a rootfs
directory and the boot chain: U-Boot .config, an environment image made by
mkenvimage, a device tree compiled by dtc, and OP-TEE (tee.bin, with a
trusted application in the rootfs's /lib/optee_armtz)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
import audit_rootfs  # noqa: E402  (the rootfs builders of the e2e test)
import optee_ta  # noqa: E402  (OP-TEE's TA and tee.bin formats)

UBOOT_SHIPPED = """# U-Boot 2023.01 Configuration
CONFIG_BOOTDELAY=3
CONFIG_CMDLINE=y
CONFIG_CMD_MEMORY=y
CONFIG_CMD_GO=y
CONFIG_CMD_USB=y
CONFIG_LEGACY_IMAGE_FORMAT=y
CONFIG_ENV_IS_IN_MMC=y
"""

UBOOT_HARDENED = """# U-Boot 2023.01 Configuration
CONFIG_BOOTDELAY=0
CONFIG_AUTOBOOT_KEYED=y
CONFIG_AUTOBOOT_ENCRYPTION=y
# CONFIG_CMDLINE is not set
CONFIG_FIT_SIGNATURE=y
CONFIG_FIT_FULL_CHECK=y
# CONFIG_LEGACY_IMAGE_FORMAT is not set
CONFIG_ENV_IS_NOWHERE=y
CONFIG_SUPPORT_EMMC_RPMB=y
"""

ENV_SHIPPED = "bootdelay=3\nbootargs=console=ttyS0,115200 init=/bin/sh\n" \
              "preboot=usb start\nbootcmd=run distro_bootcmd\n"
ENV_HARDENED = "bootdelay=0\nbootargs=root=/dev/mmcblk0p2 ro quiet\nbootcmd=bootm 0x80000000\n"

DTS = """/dts-v1/;
/ {
    compatible = "vendor,board";
    #address-cells = <1>; #size-cells = <1>;
    chosen { %(chosen)s };
    serial@1000 { compatible = "ns16550a"; reg = <0x1000 0x100>; status = "%(st)s"; };
    usb@2000 { compatible = "snps,dwc3"; reg = <0x2000 0x100>; dr_mode = "otg"; status = "%(st)s"; };
    hdmi@3000 { compatible = "vendor,hdmi-tx"; reg = <0x3000 0x100>; status = "%(st)s"; };
    jtag@4000 { compatible = "vendor,jtag"; reg = <0x4000 0x100>; status = "%(st)s"; };
};
"""


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def boot(out, uboot, env, st, chosen):
    write(os.path.join(out, "boot", "u-boot.config"), uboot)
    envsrc = os.path.join(out, "boot", "env.txt")
    write(envsrc, env)
    subprocess.run(["mkenvimage", "-s", "0x4000", "-o", os.path.join(out, "boot", "uboot.env"),
                    envsrc], check=True)
    os.unlink(envsrc)
    dts = os.path.join(out, "boot", "board.dts")
    write(dts, DTS % {"st": st, "chosen": chosen})
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                    os.path.join(out, "boot", "board.dtb"), dts], check=True)
    os.unlink(dts)


def main():
    out = sys.argv[1]
    host = os.path.join(out, "not-the-image")  # hostile links point here; never read
    audit_rootfs.build_host(host)
    audit_rootfs.build_findings(os.path.join(out, "shipped", "rootfs"), host)
    audit_rootfs.build_hardened(os.path.join(out, "hardened", "rootfs"), host)
    boot(os.path.join(out, "shipped"), UBOOT_SHIPPED, ENV_SHIPPED, "okay",
         'stdout-path = "serial0:115200n8"; bootargs = "console=ttyS0";')
    boot(os.path.join(out, "hardened"), UBOOT_HARDENED, ENV_HARDENED, "disabled", "")
    # a published demo key as the update client's trust anchor (KEY-01),
    # when the shared demo-key set is beside the checkout
    demo = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "demo-public-keys",
                        "mcuboot-root-ec-p256.pub.pem")
    if os.path.exists(demo):
        with open(demo) as f:
            write(os.path.join(out, "shipped", "rootfs", "etc", "swupdate", "public.pem"), f.read())
    # OP-TEE: shipped with OP-TEE's published default.pem as its TA key (SB-09),
    # hardened with the product's own key, which also signs its TA
    key, pub = product_key(out)
    default = os.path.join(os.path.dirname(demo), "optee-default.pub.pem")
    optee(os.path.join(out, "shipped"), default if os.path.exists(default) else pub, key)
    optee(os.path.join(out, "hardened"), pub, key)


def optee(out, tee_key_pub, ta_key):
    """tee.bin verifying TAs with tee_key_pub, and one TA signed by ta_key
    in the rootfs, where tee-supplicant loads TAs from."""
    write(os.path.join(out, "boot", "tee.bin"), optee_ta.make_tee_bin(tee_key_pub), "wb")
    write(os.path.join(out, "rootfs", "lib", "optee_armtz", "8aaaf200-2450-11e4-abe2-0002a5d5c51b.ta"),
          optee_ta.make_ta(ta_key), "wb")


def product_key(out):
    """The product's own TA-signing key (a fresh RSA-2048): private, public."""
    key = os.path.join(out, "ta-signing.pem")
    pub = os.path.join(out, "ta-signing.pub")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True)
    return key, pub


if __name__ == "__main__":
    main()
