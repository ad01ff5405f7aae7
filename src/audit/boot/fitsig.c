/*
 * fitsig.c - the FIT side of SB-06's signature check: which bytes each
 * configuration signature covers, and whether each image a configuration
 * loads still matches its hash node (the signature covers the hash node,
 * not the data).
 *
 * What is signed follows U-Boot's boot/image-fit-sig.c as fixed for
 * CVE-2026-46728: the node list comes from the configuration itself -- the
 * root, the configuration, each image it names with its hash-* and cipher
 * nodes -- never from the signature's own hashed-nodes property, which an
 * attacker can rewrite.  The regions of those nodes are concatenated,
 * followed by the first hashed-strings[1] bytes of the strings block.
 *
 * U-Boot picks the regions with fdt_find_regions(), its own addition to
 * libfdt that dtc's libfdt (Debian's libfdt-dev) does not have; the walk is
 * written here on libfdt's fdt_next_tag, iterative, with U-Boot's bounds:
 * 32 levels, 200-byte paths, 100 nodes, 20 + 7 regions per node.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "audit/boot/fit.h"

/* U-Boot's limits, so that what it refuses is refused here too:
 * IMAGE_MAX_HASHED_NODES, FIT_MAX_HASH_PATH_BUF, fdt_find_regions' path
 * buffer and FDT_MAX_DEPTH. */
#define FIT_MAX_NODES 100
#define FIT_PATH_BUF 4096
#define FIT_REGION_PATH 200
#define FIT_MAX_DEPTH 32
/* Configurations and distinct images checked per FIT. */
#define FIT_MAX_CONFS 64
#define FIT_MAX_IMAGES 256

WARD_DEFINE_AUTO(EVP_MD_CTX *, EVP_MD_CTX_free)

/* Properties a configuration signature leaves out: the data itself is
 * covered through the image's hash node. */
static const char *const excluded_props[] = {"data", "data-size", "data-position", "data-offset"};

static bool str_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

int boot_fit_regions(const void *fdt, const char *const *inc, size_t ninc, boot_region *out,
		     size_t max, size_t *n)
{
	char path[FIT_REGION_PATH];
	int want_at[FIT_MAX_DEPTH];
	size_t plen = 0, count = 0;
	int depth = -1, want = 0, next = 0, start = -1;
	bool root_done = false;
	uint32_t tag;
	const uint32_t base = fdt_off_dt_struct(fdt);
	path[0] = '\0';
	/* want: 2 inside a listed node (its properties count), 1 for its
	 * children (their begin and end tags only), 0 elsewhere */
	do {
		int off = next;
		tag = fdt_next_tag(fdt, off, &next);
		if (next < 0)
			return WARD_EINVAL;
		if (root_done && tag != FDT_END)
			return WARD_EINVAL; /* a second root */
		int stop = next;
		bool include = false;
		switch (tag) {
		case FDT_PROP: {
			const struct fdt_property *p = fdt_get_property_by_offset(fdt, off, NULL);
			const char *name = p ? fdt_string(fdt, (int)fdt32_to_cpu(p->nameoff)) : NULL;
			if (!name)
				return WARD_EINVAL;
			include = want >= 2 &&
				  !str_in(name, excluded_props, WARD_ARRAY_LEN(excluded_props));
			stop = off;
			break;
		}
		case FDT_NOP:
			include = want >= 2;
			stop = off;
			break;
		case FDT_BEGIN_NODE: {
			if (++depth >= FIT_MAX_DEPTH)
				return WARD_ELIMIT;
			int nl;
			const char *name = fdt_get_name(fdt, off, &nl);
			if (!name || nl < 0 || (depth == 0 && nl != 0))
				return WARD_EINVAL;
			if (plen + 2 + (size_t)nl >= sizeof(path))
				return WARD_ELIMIT;
			if (plen != 1) /* "" -> "/", "/" -> "/images", "/images" -> "/images/" */
				path[plen++] = '/';
			memcpy(path + plen, name, (size_t)nl);
			plen += (size_t)nl;
			path[plen] = '\0';
			want_at[depth] = want;
			if (str_in(path, inc, ninc))
				want = 2;
			else if (want)
				want--;
			include = want != 0;
			if (!include)
				stop = off;
			break;
		}
		case FDT_END_NODE:
			if (depth < 0)
				return WARD_EINVAL;
			include = want != 0;
			/* an excluded end tag right after an included region
			 * still closes it (stop = next): as U-Boot does */
			want = want_at[depth--];
			while (plen > 0 && path[--plen] != '/')
				;
			path[plen] = '\0';
			root_done = depth == -1;
			break;
		case FDT_END:
			include = true;
			break;
		default:
			return WARD_EINVAL;
		}
		if (include && start == -1) {
			/* continue the previous region when this one abuts it */
			if (count && (uint32_t)off + base == out[count - 1].off + out[count - 1].len) {
				start = (int)(out[count - 1].off - base);
				count--;
			} else {
				start = off;
			}
		}
		if (!include && start != -1) {
			if (count >= max)
				return WARD_ELIMIT;
			out[count].off = base + (uint32_t)start;
			out[count].len = (uint32_t)(stop - start);
			count++;
			start = -1;
		}
	} while (tag != FDT_END);
	if ((uint32_t)next != fdt_size_dt_struct(fdt) || start < 0)
		return WARD_EINVAL;
	if (count >= max)
		return WARD_ELIMIT;
	out[count].off = base + (uint32_t)start;
	out[count].len = (uint32_t)(next - start);
	*n = count + 1;
	return 0;
}

const char *fit_prop_str(const void *fdt, int node, const char *prop)
{
	int len;
	const char *v = fdt_getprop(fdt, node, prop, &len);
	if (!v || len <= 0 || v[len - 1] != '\0' || strlen(v) != (size_t)len - 1)
		return NULL;
	return v;
}

static void setf(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setf(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	if (r < 0)
		out[0] = '\0'; /* r >= outlen: cut, which is fine for a reason */
}

/* The node list of a configuration, as U-Boot's fit_config_get_hash_list:
 * "/", the configuration, and each image that one of its properties names
 * (all but description, compatible and default), with the image's hash-*
 * and cipher nodes.  Paths are packed into buf. */
typedef struct nodelist {
	const char *path[FIT_MAX_NODES];
	size_t n;
	char buf[FIT_PATH_BUF];
	size_t used;
} nodelist;

static bool nl_add(nodelist *l, const void *fit, int node)
{
	if (l->n >= FIT_MAX_NODES || l->used >= sizeof(l->buf))
		return false;
	char *at = l->buf + l->used;
	if (fdt_get_path(fit, node, at, (int)(sizeof(l->buf) - l->used)) != 0)
		return false;
	l->path[l->n++] = at;
	l->used += strlen(at) + 1;
	return true;
}

static bool conf_nodes(nodelist *l, const void *fit, int conf, const char *conf_name, char *why,
		       size_t wl)
{
	int images = fdt_path_offset(fit, "/images");
	int r = snprintf(l->buf, sizeof(l->buf), "/%c/configurations/%s", '\0', conf_name);
	if (r < 0 || (size_t)r >= sizeof(l->buf)) {
		setf(why, wl, "configuration name too long");
		return false;
	}
	l->path[0] = l->buf;
	l->path[1] = l->buf + 2;
	l->n = 2;
	l->used = (size_t)r + 1;
	size_t nimages = 0;
	int prop;
	fdt_for_each_property_offset(prop, fit, conf) {
		const char *pname = NULL;
		if (!fdt_getprop_by_offset(fit, prop, &pname, NULL) || !pname)
			continue;
		if (strcmp(pname, "description") == 0 || strcmp(pname, "compatible") == 0 ||
		    strcmp(pname, "default") == 0)
			continue;
		int cnt = fdt_stringlist_count(fit, conf, pname);
		for (int i = 0; i < cnt; i++) {
			const char *iname = fdt_stringlist_get(fit, conf, pname, i, NULL);
			int img = iname && images >= 0 ? fdt_subnode_offset(fit, images, iname) : -1;
			if (img < 0)
				continue;
			if (!nl_add(l, fit, img))
				goto full;
			unsigned hashes = 0;
			int sub;
			fdt_for_each_subnode(sub, fit, img) {
				const char *sn = fdt_get_name(fit, sub, NULL);
				if (!sn || strncmp(sn, "hash", 4) != 0)
					continue;
				if (!nl_add(l, fit, sub))
					goto full;
				hashes++;
			}
			if (!hashes) {
				setf(why, wl, "image %s has no hash node", iname);
				return false;
			}
			int cipher = fdt_subnode_offset(fit, img, "cipher");
			if (cipher >= 0 && !nl_add(l, fit, cipher))
				goto full;
			nimages++;
		}
	}
	if (!nimages) {
		setf(why, wl, "the configuration names no image");
		return false;
	}
	return true;
full:
	setf(why, wl, "more than %d signed nodes", FIT_MAX_NODES);
	return false;
}

/* The data of an image: embedded, or external as mkimage -E writes it
 * (data-position from the start of the file, or data-offset from the end
 * of the FDT rounded up to 4), with data-size, inside the file. */
static bool image_data(const void *fit, size_t flen, int img, const uint8_t **d, size_t *dl,
		       char *why, size_t wl)
{
	int pl, sl;
	const fdt32_t *pos = fdt_getprop(fit, img, "data-position", &pl);
	bool from_fdt_end = false;
	if (!pos) {
		pos = fdt_getprop(fit, img, "data-offset", &pl);
		from_fdt_end = pos != NULL;
	}
	if (!pos) {
		int len;
		const uint8_t *v = fdt_getprop(fit, img, "data", &len);
		if (!v || len < 0) {
			setf(why, wl, "no data");
			return false;
		}
		*d = v;
		*dl = (size_t)len;
		return true;
	}
	const fdt32_t *size = fdt_getprop(fit, img, "data-size", &sl);
	if (pl != 4 || !size || sl != 4) {
		setf(why, wl, "external data without a one-cell data-offset and data-size");
		return false;
	}
	size_t at = fdt32_to_cpu(*pos), n = fdt32_to_cpu(*size), end;
	if (from_fdt_end)
		at += ((size_t)fdt_totalsize(fit) + 3) & ~(size_t)3;
	if (!size_add_ok(at, n, &end) || end > flen) {
		setf(why, wl, "external data at %zu+%zu is past the end of the file (%zu bytes)", at, n,
		     flen);
		return false;
	}
	*d = (const uint8_t *)fit + at;
	*dl = n;
	return true;
}

static bool digest(const EVP_MD *md, const uint8_t *const *p, const size_t *len, size_t n,
		   uint8_t *out, size_t *outlen)
{
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned ol = 0;
	bool ok = c && EVP_DigestInit_ex(c, md, NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, p[i], len[i]);
	ok = ok && EVP_DigestFinal_ex(c, out, &ol);
	ERR_clear_error();
	*outlen = ol;
	return ok;
}

/* Checks every hash-* node of an image against its data (U-Boot's
 * fit_image_verify: all must match).  Returns false on out of memory. */
static bool check_image_hashes(audit_ctx *a, const char *file, const void *fit, size_t flen, int img)
{
	const char *iname = fdt_get_name(fit, img, NULL);
	char loc[160], why[160];
	setf(loc, sizeof(loc), "/images/%s", iname);
	const uint8_t *d;
	size_t dl;
	bool have_data = image_data(fit, flen, img, &d, &dl, why, sizeof(why));
	int sub;
	fdt_for_each_subnode(sub, fit, img) {
		const char *hn = fdt_get_name(fit, sub, NULL);
		if (!hn || strncmp(hn, "hash", 4) != 0)
			continue;
		if (!have_data) {
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, loc,
				     "Rebuild the FIT with mkimage.",
				     "FIT image %s: its data cannot be checked: %s", iname, why);
			return true;
		}
		const char *algo = fit_prop_str(fit, sub, "algo");
		int vl;
		const uint8_t *val = fdt_getprop(fit, sub, "value", &vl);
		const EVP_MD *md = NULL;
		if (algo && (strcmp(algo, "crc32") == 0 || strcmp(algo, "md5") == 0)) {
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, loc,
				     "Use algo = \"sha256\" in every hash node.",
				     "FIT image %s: %s is %s, which anyone can match with other data: "
				     "the signature does not protect the image", iname, hn, algo);
			continue;
		}
		if (algo && strcmp(algo, "sha1") == 0)
			md = EVP_sha1();
		else if (algo && strcmp(algo, "sha256") == 0)
			md = EVP_sha256();
		else if (algo && strcmp(algo, "sha384") == 0)
			md = EVP_sha384();
		else if (algo && strcmp(algo, "sha512") == 0)
			md = EVP_sha512();
		if (!md || !val || vl <= 0) {
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, loc,
				     "Rebuild the FIT with mkimage.",
				     "FIT image %s: %s has %s: U-Boot refuses the image", iname, hn,
				     !md ? "no algorithm U-Boot knows" : "no value");
			continue;
		}
		uint8_t h[EVP_MAX_MD_SIZE];
		size_t hl;
		if (!digest(md, &d, &dl, 1, h, &hl))
			return false;
		if ((size_t)vl != hl || memcmp(h, val, hl) != 0)
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, file, loc,
				     "Rebuild and re-sign the FIT from the intended images.",
				     "FIT image %s: the data (%zu bytes) does not match %s (%s): it was "
				     "changed after the FIT was made", iname, dl, hn, algo);
	}
	return true;
}

/* Fills a signature record from a signature-* node; the digest covers the
 * nparts byte ranges given (regions, or an image's data). */
static bool fill_sig(fit_sigrec *s, const void *fit, int sig, const char *name,
		     const uint8_t *const *part, const size_t *plen, size_t nparts, const char *bad)
{
	memset(s, 0, sizeof(*s));
	setf(s->node, sizeof(s->node), "%s", name);
	const char *algo = fit_prop_str(fit, sig, "algo");
	const char *hint = fit_prop_str(fit, sig, "key-name-hint");
	const char *pad = fit_prop_str(fit, sig, "padding");
	setf(s->algo, sizeof(s->algo), "%s", algo ? algo : "");
	setf(s->hint, sizeof(s->hint), "%s", hint ? hint : "");
	s->pss = pad && strcmp(pad, "pss") == 0;
	int vl;
	const uint8_t *val = fdt_getprop(fit, sig, "value", &vl);
	size_t sig_bytes;
	const EVP_MD *md = algo ? fit_algo(algo, &sig_bytes, &s->ecdsa) : NULL;
	if (bad)
		setf(s->bad, sizeof(s->bad), "%s", bad);
	else if (!algo)
		setf(s->bad, sizeof(s->bad), "no algo property");
	else if (!md) {
		const char *comma = strchr(algo, ',');
		s->unchecked = comma && (strcmp(comma + 1, "ecdsa384") == 0 ||
					 strcmp(comma + 1, "ecdsa521") == 0);
		setf(s->bad, sizeof(s->bad), "unsupported algo \"%s\"", algo);
	}
	else if (pad && !s->pss && strcmp(pad, "pkcs-1.5") != 0)
		setf(s->bad, sizeof(s->bad), "unknown padding \"%s\"", pad);
	else if (!val || vl <= 0)
		setf(s->bad, sizeof(s->bad), "no signature value");
	else if ((size_t)vl > sizeof(s->value))
		setf(s->bad, sizeof(s->bad), "a signature value of %d bytes", vl);
	if (s->bad[0])
		return true;
	memcpy(s->value, val, (size_t)vl);
	s->vlen = (size_t)vl;
	return digest(md, part, plen, nparts, s->digest, &s->dlen);
}

/* One configuration: its signatures' digests, into u. */
static bool conf_unit(fit_unit *u, const void *fit, int conf, const char *cname)
{
	char bad[128] = "";
	WARD_AUTO(free) nodelist *l = calloc(1, sizeof(*l));
	boot_region reg[20 + 7 * FIT_MAX_NODES];
	size_t nreg = 0;
	if (!l)
		return false;
	if (strchr(cname, '@'))
		setf(bad, sizeof(bad), "the configuration name has an '@', which U-Boot refuses");
	else if (conf_nodes(l, fit, conf, cname, bad, sizeof(bad))) {
		/* U-Boot's room: 20 + 7 per node, one kept for the strings */
		size_t max = 20 + 7 * l->n - 2;
		int rc = boot_fit_regions(fit, l->path, l->n, reg, max, &nreg);
		if (rc)
			setf(bad, sizeof(bad), "%s", rc == WARD_ELIMIT ? "too many regions to hash"
								     : "malformed structure block");
	}
	const uint8_t *part[20 + 7 * FIT_MAX_NODES + 1];
	size_t plen[20 + 7 * FIT_MAX_NODES + 1];
	for (size_t i = 0; i < nreg; i++) {
		part[i] = (const uint8_t *)fit + reg[i].off;
		plen[i] = reg[i].len;
	}
	int sig;
	fdt_for_each_subnode(sig, fit, conf) {
		const char *sn = fdt_get_name(fit, sig, NULL);
		if (!sn || strncmp(sn, "signature", 9) != 0 || u->nsig >= BOOT_FIT_UNIT_SIGS)
			continue;
		char sbad[128];
		setf(sbad, sizeof(sbad), "%s", bad);
		size_t n = nreg;
		int hl;
		const fdt32_t *hs = fdt_getprop(fit, sig, "hashed-strings", &hl);
		if (!sbad[0] && hs) {
			uint32_t size = hl >= 8 ? fdt32_to_cpu(hs[1]) : UINT32_MAX;
			if (size > fdt_size_dt_strings(fit))
				setf(sbad, sizeof(sbad), "hashed-strings out of the strings block");
			else {
				part[n] = (const uint8_t *)fit + fdt_off_dt_strings(fit);
				plen[n++] = size;
			}
		}
		if (!fill_sig(&u->sig[u->nsig++], fit, sig, sn, part, plen, n,
			      sbad[0] ? sbad : NULL))
			return false;
	}
	return true;
}

static bool image_unit(fit_unit *u, const void *fit, size_t flen, int img)
{
	char why[128] = "";
	const uint8_t *d = NULL;
	size_t dl = 0;
	bool ok = image_data(fit, flen, img, &d, &dl, why, sizeof(why));
	const char *iname = fdt_get_name(fit, img, NULL);
	int sig;
	fdt_for_each_subnode(sig, fit, img) {
		const char *sn = fdt_get_name(fit, sig, NULL);
		if (!sn || strncmp(sn, "signature", 9) != 0 || u->nsig >= BOOT_FIT_UNIT_SIGS)
			continue;
		const char *bad = !ok ? why : strchr(sn, '@') || strchr(iname, '@')
						 ? "a node name has an '@', which U-Boot refuses"
						 : NULL;
		if (!fill_sig(&u->sig[u->nsig++], fit, sig, sn, &d, &dl, 1, bad))
			return false;
	}
	return true;
}

static bool has_signature(const void *fit, int parent)
{
	int node, sub;
	fdt_for_each_subnode(node, fit, parent) {
		fdt_for_each_subnode(sub, fit, node) {
			const char *n = fdt_get_name(fit, sub, NULL);
			if (n && strncmp(n, "signature", 9) == 0)
				return true;
		}
	}
	return false;
}

static int keep(audit_boot_state *st, const fit_unit *u)
{
	if (!st)
		return 0;
	if (st->units.len / sizeof(fit_unit) >= BOOT_FIT_MAX_UNITS) {
		st->dropped = true;
		return 0;
	}
	return buf_append(&st->units, u, sizeof(*u)) == 0 ? 0 : WARD_ENOMEM;
}

int boot_fit_sigs(audit_ctx *a, const char *file, const void *fit, size_t len, ward_error *err)
{
	int confs = fdt_path_offset(fit, "/configurations");
	int images = fdt_path_offset(fit, "/images");
	if (confs < 0 || images < 0)
		return 0;
	bool is_signed = has_signature(fit, confs) || has_signature(fit, images);
	audit_boot_state *st = NULL;
	if (is_signed && fit_state(a, &st))
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	unsigned id = st ? st->nfit++ : 0;
	WARD_AUTO(free) fit_unit *u = calloc(1, sizeof(*u));
	int seen[FIT_MAX_IMAGES];
	size_t nseen = 0, nconf = 0;
	int conf;
	if (!u)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	fdt_for_each_subnode(conf, fit, confs) {
		const char *cname = fdt_get_name(fit, conf, NULL);
		if (!cname)
			continue;
		if (++nconf > FIT_MAX_CONFS) {
			audit_report(a, "SB-06", AUDIT_INFO, AUDIT_BASIC, AUDIT_OTA_NA, file,
				     "/configurations", "Check the remaining configurations by hand.",
				     "more than %d configurations: only the first %d were checked",
				     FIT_MAX_CONFS, FIT_MAX_CONFS);
			break;
		}
		/* the images this configuration loads, each checked once */
		int prop;
		fdt_for_each_property_offset(prop, fit, conf) {
			const char *pname = NULL;
			if (!fdt_getprop_by_offset(fit, prop, &pname, NULL) || !pname ||
			    strcmp(pname, "description") == 0 || strcmp(pname, "compatible") == 0 ||
			    strcmp(pname, "default") == 0)
				continue;
			int cnt = fdt_stringlist_count(fit, conf, pname);
			for (int i = 0; i < cnt && nseen < FIT_MAX_IMAGES; i++) {
				const char *iname = fdt_stringlist_get(fit, conf, pname, i, NULL);
				int img = iname ? fdt_subnode_offset(fit, images, iname) : -1;
				bool dup = false;
				for (size_t k = 0; k < nseen && !dup; k++)
					dup = seen[k] == img;
				if (img < 0 || dup)
					continue;
				seen[nseen++] = img;
				if (!check_image_hashes(a, file, fit, len, img))
					return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
				memset(u, 0, sizeof(*u));
				if (!st)
					continue;
				u->fit = id;
				u->is_image = true;
				setf(u->file, sizeof(u->file), "%s", file);
				setf(u->name, sizeof(u->name), "%s", iname);
				if (!image_unit(u, fit, len, img) || keep(st, u))
					return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
			}
		}
		if (!st)
			continue;
		memset(u, 0, sizeof(*u));
		u->fit = id;
		setf(u->file, sizeof(u->file), "%s", file);
		setf(u->name, sizeof(u->name), "%s", cname);
		if (!conf_unit(u, fit, conf, cname))
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
		/* an unsigned configuration is reported by check_fit_conf */
		if (u->nsig && keep(st, u))
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	}
	return 0;
}
