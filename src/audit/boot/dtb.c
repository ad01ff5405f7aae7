/*
 * dtb.c - device trees (libfdt): enabled debug and user interfaces (HW-01..05),
 * the U-Boot control DTB's signing keys (SB-05, KEY-02, KEY-04), FIT images
 * (SB-06) and U-Boot binaries with their appended control DTB (SB-03, SB-05).
 *
 * Every blob is validated with fdt_check_full before it is read, the walk is
 * iterative (fdt_next_node) with a depth cap, and a node without a status
 * property counts as enabled, as the kernel treats it.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <openssl/evp.h>

#include "audit/boot/boot_int.h"

/* Deepest node walked; real trees are under 10 deep. */
#define BOOT_FDT_MAX_DEPTH 32
/* Largest device tree or FIT read (a FIT carries the kernel). */
#define BOOT_FDT_MAX_SIZE (256u * 1024 * 1024)
/* Node paths listed as evidence per check. */
#define BOOT_FDT_LIST 3
/* Bytes of candidate FDTs fully checked in one U-Boot binary, as a multiple
 * of its size.  Every FDT magic with a plausible header claims a blob up to
 * the end of the file, and each is copied (alignment) and walked: a file of
 * such headers every 48 bytes cost O(n^2), 42 s for 8 MiB (found reviewing
 * dtb.c for its fuzz target).  A real binary has one or two candidates. */
#define BOOT_FDT_SCAN_FACTOR 4

/* key-name-hint values that mark a development key (KEY-04). */
static const char *const dev_key_hints[] = {"dev", "ubootdev", "spldev", "test", "example"};

typedef struct hwcheck {
	const char *id;
	audit_severity sev;
	const char *what, *remedy;
	unsigned n;
	char first[128];
	char list[256];
	size_t used;
} hwcheck;

enum { HW_UART, HW_USB, HW_USB_GADGET, HW_DISPLAY, HW_JTAG, HW_N };

/* The names of the nodes from the root down to the one walk_hw is at, so
 * that a node's path costs its depth, not a walk from the root as
 * fdt_get_path's does. */
typedef struct fdt_trail {
	const char *name[BOOT_FDT_MAX_DEPTH + 1];
	int len[BOOT_FDT_MAX_DEPTH + 1];
	int depth;
} fdt_trail;

/* The top-level nodes the checks look up, found in one pass over the root's
 * subnodes (each fdt_path_offset is a walk of the whole tree when the node
 * is absent); -1 when absent. */
typedef struct fdt_top {
	int chosen, signature, images, configurations;
} fdt_top;

static bool contains(const char *s, int len, const char *needle)
{
	return len > 0 && memmem(s, (size_t)len, needle, strlen(needle)) != NULL;
}

static bool node_is_okay(const void *fdt, int node)
{
	int len;
	const char *st = fdt_getprop(fdt, node, "status", &len);
	if (!st)
		return true;
	return (len >= 3 && strncmp(st, "okay", (size_t)len) == 0) ||
	       (len >= 3 && strncmp(st, "ok", (size_t)len) == 0);
}

/* The node's path as fdt_get_path writes it ("/" for the root), or
 * "(offset N)" when it does not fit. */
static void trail_path(char *out, size_t size, const fdt_trail *t, int node)
{
	size_t used = 0;
	bool fits = true;
	for (int d = 1; d <= t->depth && fits; d++) {
		size_t l = (size_t)t->len[d];
		fits = used + 1 + l < size;
		if (fits) {
			out[used++] = '/';
			memcpy(out + used, t->name[d], l);
			used += l;
		}
	}
	if (used == 0)
		out[used++] = '/';
	out[used] = '\0';
	if (!fits) {
		int r = snprintf(out, size, "(offset %d)", node);
		if (r < 0 || (size_t)r >= size)
			out[0] = '\0';
	}
}

static void hw_add(hwcheck *h, const fdt_trail *t, int node)
{
	if (h->n >= BOOT_FDT_LIST) { /* only the first paths are listed */
		h->n++;
		return;
	}
	char path[128];
	trail_path(path, sizeof(path), t, node);
	if (h->n++ == 0)
		memcpy(h->first, path, sizeof(h->first));
	int r = snprintf(h->list + h->used, sizeof(h->list) - h->used, "%s%s",
			 h->used ? ", " : "", path);
	if (r > 0 && (size_t)r < sizeof(h->list) - h->used)
		h->used += (size_t)r;
}

static void classify(hwcheck *hw, const void *fdt, int node, const fdt_trail *t)
{
	int nlen = t->len[t->depth], clen;
	const char *name = t->name[t->depth];
	const char *compat = fdt_getprop(fdt, node, "compatible", &clen);
	if (!name)
		return;
	/* interface nodes are leaves of a bus with a compatible */
	if (!compat || clen <= 0 || !node_is_okay(fdt, node))
		return;
	/* PHYs serve a controller; the controller is what is reported */
	if (strncmp(name, "phy", 3) == 0 || contains(name, nlen, "-phy") ||
	    contains(compat, clen, "-phy"))
		return;
	if (contains(name, nlen, "jtag") || contains(compat, clen, "jtag") ||
	    contains(compat, clen, "arm,coresight-"))
		hw_add(&hw[HW_JTAG], t, node);
	else if (strncmp(name, "serial", 6) == 0 || contains(compat, clen, "uart") ||
		 contains(compat, clen, "pl011") || contains(compat, clen, "ns16550"))
		hw_add(&hw[HW_UART], t, node);
	else if (strncmp(name, "usb", 3) == 0 || contains(compat, clen, "usb") ||
		 contains(compat, clen, "dwc2") || contains(compat, clen, "dwc3") ||
		 contains(compat, clen, "musb")) {
		int dl;
		const char *dr = fdt_getprop(fdt, node, "dr_mode", &dl);
		bool gadget = dr && (contains(dr, dl, "otg") || contains(dr, dl, "peripheral"));
		hw_add(&hw[gadget ? HW_USB_GADGET : HW_USB], t, node);
	} else if (contains(name, nlen, "hdmi") || contains(compat, clen, "hdmi") ||
		   strncmp(name, "display", 7) == 0)
		hw_add(&hw[HW_DISPLAY], t, node);
}

/* libfdt refuses a blob that is not 8-byte aligned (FDT_ERR_ALIGNMENT); an
 * FDT inside a binary may be anywhere, so it is copied when needed.  Returns
 * the aligned blob (data itself, or *owned, to be freed), or NULL. */
static const uint8_t *fdt_aligned(const uint8_t *data, size_t len, void **owned)
{
	*owned = NULL;
	if (((uintptr_t)data & 7) == 0)
		return data;
	*owned = malloc(len ? len : 1);
	if (!*owned)
		return NULL;
	memcpy(*owned, data, len);
	return *owned;
}

static int fdt_validate(const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	if (len > BOOT_FDT_MAX_SIZE)
		return ward_err(err, WARD_ELIMIT, "%s: device tree of %zu bytes", file, len);
	if (len < sizeof(struct fdt_header) || fdt_check_header(data) != 0 ||
	    fdt_totalsize(data) > len || fdt_check_full(data, fdt_totalsize(data)) != 0)
		return ward_err(err, WARD_EINVAL, "%s: not a valid flattened device tree", file);
	return 0;
}

/* Node names as libfdt's fdt_subnode_offset matches them: "chosen" also
 * matches "chosen@0". */
static bool top_name_is(const char *n, int nlen, const char *want)
{
	size_t w = strlen(want);
	return n && nlen >= 0 && (size_t)nlen >= w && memcmp(n, want, w) == 0 &&
	       ((size_t)nlen == w || n[w] == '@');
}

static void top_find(const void *fdt, fdt_top *top)
{
	*top = (fdt_top){-1, -1, -1, -1};
	int node;
	fdt_for_each_subnode(node, fdt, 0) {
		int nlen;
		const char *n = fdt_get_name(fdt, node, &nlen);
		/* the first match, as fdt_path_offset returns */
		if (top->chosen < 0 && top_name_is(n, nlen, "chosen"))
			top->chosen = node;
		else if (top->signature < 0 && top_name_is(n, nlen, "signature"))
			top->signature = node;
		else if (top->images < 0 && top_name_is(n, nlen, "images"))
			top->images = node;
		else if (top->configurations < 0 && top_name_is(n, nlen, "configurations"))
			top->configurations = node;
	}
}

static int walk_hw(audit_ctx *a, const char *file, const void *fdt, const fdt_top *top,
		   ward_error *err)
{
	hwcheck hw[HW_N] = {
		[HW_UART] = {.id = "HW-01", .sev = AUDIT_MEDIUM, .what = "UART", .remedy =
			     "Set status = \"disabled\" on UARTs the product does not use, and drop "
			     "chosen/stdout-path."},
		[HW_USB] = {.id = "HW-02", .sev = AUDIT_MEDIUM, .what = "USB controller", .remedy =
			    "Disable USB controllers the product does not need."},
		[HW_USB_GADGET] = {.id = "HW-02", .sev = AUDIT_MEDIUM,
				   .what = "USB OTG/peripheral controller", .remedy =
				   "Disable USB gadget mode (dr_mode = \"host\") or the controller."},
		[HW_DISPLAY] = {.id = "HW-03", .sev = AUDIT_LOW, .what = "HDMI/display", .remedy =
				"Disable display outputs on a headless product."},
		[HW_JTAG] = {.id = "HW-04", .sev = AUDIT_MEDIUM, .what = "JTAG/CoreSight debug", .remedy =
			     "Disable debug nodes, and verify the JTAG fuses (e.g. i.MX "
			     "JTAG_SMODE/SJC_DISABLE) on hardware: fuse state cannot be seen "
			     "offline."},
	};
	int depth = 0, node = 0;
	fdt_trail t;
	/* past the root's end node, depth goes negative with node >= 0 */
	while (node >= 0 && depth >= 0) {
		if (depth > BOOT_FDT_MAX_DEPTH)
			return ward_err(err, WARD_ELIMIT, "%s: device tree deeper than %d", file,
					BOOT_FDT_MAX_DEPTH);
		t.depth = depth;
		t.name[depth] = fdt_get_name(fdt, node, &t.len[depth]);
		if (!t.name[depth])
			t.len[depth] = 0;
		classify(hw, fdt, node, &t);
		node = fdt_next_node(fdt, node, &depth);
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return ward_err(err, WARD_EINVAL, "%s: device tree: %s", file, fdt_strerror(node));
	int chosen = top->chosen;
	int sl = 0;
	const char *stdout_path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &sl) : NULL;
	if (stdout_path && sl > 1 && hw[HW_UART].n == 0)
		memcpy(hw[HW_UART].first, "/chosen", 8);
	for (int i = 0; i < HW_N; i++) {
		hwcheck *h = &hw[i];
		bool console = i == HW_UART && stdout_path && sl > 1;
		if (!h->n && !console)
			continue;
		audit_report(a, h->id, h->sev, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, h->first, h->remedy,
			     "%u %s node%s enabled%s%s%s%.*s", h->n, h->what, h->n == 1 ? "" : "s",
			     h->n ? ": " : "", h->list, console ? "; console on stdout-path " : "",
			     console ? sl - 1 : 0, console ? stdout_path : "");
	}
	int bl;
	const char *bootargs = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &bl) : NULL;
	if (bootargs && bl > 0)
		boot_cmdline_check(a, file, "/chosen/bootargs", bootargs, strnlen(bootargs, (size_t)bl));
	return 0;
}

/* The control DTB's /signature node: SB-05, KEY-02, KEY-04. */
static int check_signature(audit_ctx *a, const char *file, const void *fdt, int sig)
{
	unsigned required = 0;
	int key;
	if (sig >= 0) {
		fdt_for_each_subnode(key, fdt, sig) {
			/* every node: U-Boot reads each one's required, and
			 * mkimage names ECDSA keys without "key-" */
			const char *name = fdt_get_name(fdt, key, NULL);
			if (!name)
				continue;
			int rl;
			const char *req = fdt_getprop(fdt, key, "required", &rl);
			if (req && rl > 0 && (contains(req, rl, "conf") || contains(req, rl, "image")))
				required++;
			char loc[160];
			int r = snprintf(loc, sizeof(loc), "/signature/%s", name);
			if (r < 0 || (size_t)r >= sizeof(loc))
				memcpy(loc, "/signature", 11);
			int hl;
			const char *hint = fdt_getprop(fdt, key, "key-name-hint", &hl);
			for (size_t i = 0; hint && hl > 0 && i < WARD_ARRAY_LEN(dev_key_hints); i++)
				if (strnlen(hint, (size_t)hl) == strlen(dev_key_hints[i]) &&
				    strcmp(hint, dev_key_hints[i]) == 0)
					audit_report(a, "KEY-04", AUDIT_MEDIUM, AUDIT_PROCESS,
						     AUDIT_OTA_BOOT, file, loc,
						     "Sign with a production key held offline.",
						     "U-Boot verifies with a key named \"%s\", a "
						     "development key name", dev_key_hints[i]);
			int ml, el;
			const uint8_t *mod = fdt_getprop(fdt, key, "rsa,modulus", &ml);
			const uint8_t *exp = fdt_getprop(fdt, key, "rsa,exponent", &el);
			if (!mod || !exp || ml <= 0 || el <= 0)
				continue;
			while (el > 1 && exp[0] == 0) /* a 64-bit big-endian cell pair */
				exp++, el--;
			EVP_PKEY *pk = boot_rsa_from_ne(mod, (size_t)ml, exp, (size_t)el);
			uint8_t fp[32];
			const boot_denykey *d = NULL;
			if (pk && boot_spki_sha256(pk, fp) == 0)
				d = boot_deny_find(a, fp);
			if (d)
				audit_report(a, "KEY-02", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_BOOT,
					     file, loc,
					     "Generate a new signing key, rebuild U-Boot with its public "
					     "half, and re-sign every FIT.",
					     "U-Boot verifies FITs with the RSA-%d %s key from %s",
					     EVP_PKEY_get_bits(pk), BOOT_DENY_ADJ(d), d->where);
			EVP_PKEY_free(pk);
		}
	}
	if (!required)
		audit_report(a, "SB-05", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file, "/signature",
			     "Build U-Boot with mkimage -K u-boot.dtb -r so its control DTB holds a "
			     "required signing key.",
			     "%s", sig < 0 ? "the control DTB has no /signature node: FIT signatures "
					     "are not enforced"
					   : "no key under /signature has required = \"conf\" or "
					     "\"image\"");
	return 0;
}

static bool is_fit(const fdt_top *top)
{
	return top->images >= 0 && top->configurations >= 0;
}

static bool has_subnode_prefix(const void *fdt, int node, const char *prefix)
{
	int sub;
	fdt_for_each_subnode(sub, fdt, node) {
		const char *n = fdt_get_name(fdt, sub, NULL);
		if (n && strncmp(n, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

/* True when the stringlist property `prop` of node holds `want`. */
static bool strlist_has(const void *fdt, int node, const char *prop, const char *want)
{
	int len;
	const char *v = fdt_getprop(fdt, node, prop, &len);
	for (int off = 0; v && off < len;) {
		size_t l = strnlen(v + off, (size_t)(len - off));
		if (strncmp(v + off, want, l) == 0 && want[l] == '\0')
			return true;
		off += (int)l + 1;
	}
	return false;
}

/* SB-06: every configuration signed over all it loads, every image hashed. */
static void check_fit_conf(audit_ctx *a, const char *file, const void *fdt, int conf)
{
	static const char *const parts[] = {"kernel", "fdt", "loadables", "ramdisk"};
	const char *n = fdt_get_name(fdt, conf, NULL);
	int sig;
	bool is_signed = false;
	fdt_for_each_subnode(sig, fdt, conf) {
		const char *sn = fdt_get_name(fdt, sig, NULL);
		if (!sn || strncmp(sn, "signature", 9) != 0)
			continue;
		is_signed = true;
		for (size_t i = 0; i < WARD_ARRAY_LEN(parts); i++)
			if (fdt_getprop(fdt, conf, parts[i], NULL) &&
			    !strlist_has(fdt, sig, "sign-images", parts[i]))
				audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file,
					     n, "List every image of the configuration in sign-images.",
					     "FIT configuration %s: %s is not covered by %s/sign-images",
					     n, parts[i], sn);
	}
	if (!is_signed)
		audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, n,
			     "Sign every configuration (mkimage -k KEYDIR -r) with a "
			     "signature node covering kernel, fdt and loadables.",
			     "FIT configuration %s is not signed", n);
}

/* len: the whole file, whose external image data follows the FDT. */
static int check_fit(audit_ctx *a, const char *file, const void *fdt, size_t len,
		     const fdt_top *top, ward_error *err)
{
	int confs = top->configurations;
	int images = top->images;
	int node;
	fdt_for_each_subnode(node, fdt, confs) {
		if (fdt_get_name(fdt, node, NULL))
			check_fit_conf(a, file, fdt, node);
	}
	fdt_for_each_subnode(node, fdt, images) {
		const char *n = fdt_get_name(fdt, node, NULL);
		if (!n)
			continue;
		if (!has_subnode_prefix(fdt, node, "hash"))
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, n,
				     "Give every image a hash-1 node (algo = \"sha256\").",
				     "FIT image %s has no hash node", n);
		/* the device trees the FIT boots: the HW checks apply to them */
		int tl, dl;
		const char *type = fdt_getprop(fdt, node, "type", &tl);
		const uint8_t *dtb = fdt_getprop(fdt, node, "data", &dl);
		int cl;
		const char *comp = fdt_getprop(fdt, node, "compression", &cl);
		if (!type || tl < 7 || strncmp(type, "flat_dt", 7) != 0 || !dtb || dl <= 0 ||
		    (comp && cl > 0 && strncmp(comp, "none", (size_t)cl) != 0))
			continue;
		char where[300];
		int r = snprintf(where, sizeof(where), "%s:/images/%s", file, n);
		if (r < 0 || (size_t)r >= sizeof(where))
			continue;
		WARD_AUTO(free) void *owned = NULL;
		const uint8_t *inner = fdt_aligned(dtb, (size_t)dl, &owned);
		if (!inner)
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
		fdt_top itop;
		if (fdt_validate(where, inner, (size_t)dl, NULL) == 0 &&
		    (top_find(inner, &itop), !is_fit(&itop))) {
			int rc = walk_hw(a, where, inner, &itop, err);
			if (rc)
				return rc;
		} else {
			audit_report(a, "SB-06", AUDIT_INFO, AUDIT_BASIC, AUDIT_OTA_NA, file, n,
				     "Check the image.", "FIT image %s is not a valid device tree", n);
		}
	}
	/* image hashes now; the signatures with the run's control DTBs */
	return boot_fit_sigs(a, file, fdt, len, err);
}

int boot_dtb(audit_ctx *a, const char *file, const uint8_t *in, size_t len, bool control,
	     ward_error *err)
{
	if (len > BOOT_FDT_MAX_SIZE)
		return ward_err(err, WARD_ELIMIT, "%s: device tree of %zu bytes", file, len);
	WARD_AUTO(free) void *owned = NULL;
	const uint8_t *data = fdt_aligned(in, len, &owned);
	if (!data)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	int rc = fdt_validate(file, data, len, err);
	if (rc)
		return rc;
	fdt_top top;
	top_find(data, &top);
	if (is_fit(&top))
		return check_fit(a, file, data, len, &top, err);
	size_t fl = strlen(file);
	if (control || top.signature >= 0 ||
	    (fl >= 10 && strcmp(file + fl - 10, "u-boot.dtb") == 0)) {
		(void)check_signature(a, file, data, top.signature);
		rc = boot_fit_control(a, file, data, err);
		if (rc)
			return rc;
	}
	return walk_hw(a, file, data, &top, err);
}

/* "U-Boot 2023.01" anywhere in the binary, as year*100+month, or 0. */
static int bin_version(const uint8_t *data, size_t len)
{
	static const char tag[] = "U-Boot 20";
	size_t pos = 0;
	while (pos < len) {
		const uint8_t *p = memmem(data + pos, len - pos, tag, sizeof(tag) - 1);
		if (!p)
			return 0;
		size_t at = (size_t)(p - data) + 7;
		pos = at;
		if (len - at < 7 || data[at + 4] != '.')
			continue;
		int v = 0;
		bool ok = true;
		for (int i = 0; i < 7 && ok; i++) {
			if (i == 4)
				continue;
			ok = data[at + (size_t)i] >= '0' && data[at + (size_t)i] <= '9';
			v = v * 10 + (data[at + (size_t)i] - '0');
		}
		if (ok)
			return v;
	}
	return 0;
}

int boot_uboot_bin(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		   ward_error *err)
{
	static const uint8_t magic[4] = {0xd0, 0x0d, 0xfe, 0xed};
	size_t best = SIZE_MAX, pos = 0;
	WARD_AUTO(free) void *best_owned = NULL; /* best_fdt, when it had to be copied */
	const uint8_t *best_fdt = NULL;
	/* the appended control DTB: the last valid FDT in the file */
	size_t budget = len < SIZE_MAX / BOOT_FDT_SCAN_FACTOR ? len * BOOT_FDT_SCAN_FACTOR : SIZE_MAX;
	bool stopped = false;
	while (pos + sizeof(struct fdt_header) <= len) {
		const uint8_t *p = memmem(data + pos, len - pos, magic, 4);
		if (!p)
			break;
		size_t at = (size_t)(p - data);
		pos = at + 4;
		if (len - at < sizeof(struct fdt_header))
			continue;
		WARD_AUTO(free) void *owned = NULL;
		const uint8_t *hdr = fdt_aligned(p, sizeof(struct fdt_header), &owned);
		if (!hdr || fdt_check_header(hdr) != 0 || fdt_totalsize(hdr) > len - at)
			continue;
		size_t total = fdt_totalsize(hdr);
		if (total > budget) {
			stopped = true;
			break;
		}
		budget -= total;
		free(owned);
		const uint8_t *cand = fdt_aligned(p, total, &owned);
		if (!cand || fdt_check_full(cand, total) != 0)
			continue;
		free(best_owned);
		best_owned = WARD_TAKE_PTR(owned);
		best_fdt = cand;
		best = at;
		pos = at + total;
	}
	if (stopped)
		audit_report(a, "INPUT-01", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, file, NULL,
			     "Check the binary's control DTB by other means (extract it with dtc or fdtdump).",
			     "could not be checked: the search for the control DTB stopped after "
			     "%d times the file's size in candidate blobs", BOOT_FDT_SCAN_FACTOR);
	boot_imx_ivt(a, file, data, len);
	int ver = bin_version(data, len);
	if (best != SIZE_MAX) {
		const uint8_t *fdt = best_fdt;
		char where[300];
		int r = snprintf(where, sizeof(where), "%s (control DTB at offset %zu)", file, best);
		if (r < 0 || (size_t)r >= sizeof(where))
			return ward_err(err, WARD_EINVAL, "file name too long");
		fdt_top top;
		top_find(fdt, &top);
		(void)check_signature(a, where, fdt, top.signature);
		int rc = boot_fit_control(a, where, fdt, err);
		if (rc)
			return rc;
		if (top.signature >= 0 && ver && ver < 202104)
			audit_report(a, "SB-03", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file, NULL,
				     "Use U-Boot 2021.04 or later with CONFIG_FIT_FULL_CHECK=y.",
				     "U-Boot %d.%02d verifies FITs with the flaws of CVE-2020-10648/"
				     "CVE-2021-27097/CVE-2021-27138", ver / 100, ver % 100);
		rc = walk_hw(a, where, fdt, &top, err);
		if (rc)
			return rc;
	}
	int rc = boot_env_default(a, file, data, len, err);
	return rc ? rc : audit_keys_scan(a, file, data, len, false, err);
}
