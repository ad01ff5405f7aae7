"""optee_ta.py - OP-TEE trusted applications and tee.bin for the audit's
tests, in the formats OP-TEE's own tools write (scripts/sign_encrypt.py,
scripts/pem_to_pub_c.py), signed with the OpenSSL CLI the way OP-TEE
documents offline signing (`openssl pkeyutl -sign -pkeyopt digest:sha256
...`)."""

import hashlib
import os
import struct
import subprocess

SHDR_MAGIC = 0x4f545348
PKCS1 = 0x70004830
PSS = 0x70414930
TA, BOOTSTRAP_TA, ENCRYPTED_TA, SUBKEY = 0, 1, 2, 3


def key_bytes(key):
    """The RSA modulus size of a private key file, in bytes."""
    out = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"], capture_output=True,
                         text=True, check=True).stdout
    return len(out.strip().split("=")[1]) // 2


def modulus(pub):
    """The big-endian modulus of an RSA public key file."""
    out = subprocess.run(["openssl", "rsa", "-pubin", "-in", pub, "-noout", "-modulus"],
                         capture_output=True, text=True, check=True).stdout
    return bytes.fromhex(out.strip().split("=")[1])


def sign_digest(key, digest, pss):
    opts = ["-pkeyopt", "digest:sha256"]
    opts += (["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"] if pss
             else ["-pkeyopt", "rsa_padding_mode:pkcs1"])
    return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, *opts], input=digest,
                          capture_output=True, check=True).stdout


def make_ta(key, image=None, ttype=BOOTSTRAP_TA, pss=True,
            uuid=bytes.fromhex("8aaaf200245011e4abe20002a5d5c51b"), version=1):
    """A signed TA: header, SHA-256, signature, [bootstrap header,
    [encryption header, IV, tag]], image."""
    image = image if image is not None else b"\x7fELF\x02\x01\x01" + os.urandom(4000)
    sig_len = key_bytes(key)
    shdr = struct.pack("<IIIIHH", SHDR_MAGIC, ttype, len(image), PSS if pss else PKCS1, 32, sig_len)
    extra = b""
    if ttype in (BOOTSTRAP_TA, ENCRYPTED_TA):
        extra = uuid + struct.pack("<I", version)
    if ttype == ENCRYPTED_TA:
        iv, tag = os.urandom(12), os.urandom(16)
        extra += struct.pack("<IIHH", 0x40000810, 0, len(iv), len(tag)) + iv + tag
    digest = hashlib.sha256(shdr + extra + image).digest()
    sig = sign_digest(key, digest, pss)
    assert len(sig) == sig_len
    return shdr + digest + sig + extra + image


def make_tee_bin(pub, der=False):
    """An OP-TEE OS binary (v1 header "OPTE") with pub compiled in as the
    TA-verification key: the raw modulus as pem_to_pub_c.py emits it, or
    (der=True) as a DER SPKI."""
    if der:
        key = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub, "-outform", "DER"],
                             capture_output=True, check=True).stdout
    else:
        key = modulus(pub)
    return (b"OPTE" + struct.pack("<I", 1) + os.urandom(2040) + struct.pack("<I", 65537) + key +
            os.urandom(6000))
