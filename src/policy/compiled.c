/* The compiled policy: one cache for the policy loader.
 *
 * secshim has no daemon, so every container start loads the policy, and a
 * full load (sha256 of the file for the audit record, JSON parse, every
 * rule's load, the seccomp profile's validation) costs more than judging
 * the container.  All of it is a function of bytes: secshim's own build,
 * the policy file (and its path, which relative data files hang off), and
 * the data files its rules read.  So a load that validated in full writes
 * what it computed into an entry, and a later load of the same bytes
 * restores that instead.
 *
 * Trust model (the paragraph docs/performance.md quotes).  An entry is
 * trusted exactly as much as the inputs it replaces: it lives in a
 * directory of the effective uid that neither group nor others can write
 * (default /run/secshim/compiled; its parent must pass the same check),
 * and it must itself be a regular file of the euid that group and others
 * cannot write, so only root (or the euid) can write an entry, and they can
 * already write the policy and its data files.  The entry is named by a
 * hash of its key, and holds the whole key, so it is used only for the
 * very build, policy path and policy bytes it was made from; it lists each
 * data file with the hash of its bytes, and restoring reads each file again
 * and compares.  Those hashes are XXH3-128, not a cryptographic hash:
 * someone could craft two policies (or profiles) with the same XXH3-128,
 * but to make secshim use the entry of one for the other they must write
 * the policy, a data file or the cache, and whoever can do that already
 * decides the policy, so a collision gives nothing new; accidental
 * collisions (about 2^-128) are not a concern.  The
 * entry ends with the XXH3-128 of everything before it, so a truncated or
 * damaged entry is not read.  Anything unexpected -- no entry, a foreign
 * owner, a bad mode, a symlink, a bad checksum, a short or malformed field,
 * a data file that changed -- means a full load, never an error, and no
 * time window: an edited file is a different key at once.  policySha256
 * in audit records stays the SHA-256 of the policy bytes, computed by the
 * full load that made the entry from the same bytes.  `secshim check` and
 * policy_load_buffer neither read nor write entries.
 *
 * What an entry holds, each for a measured reason (the docker 10 KB create,
 * whole process under callgrind): the policy's SHA-256 (262 k
 * instructions under callgrind, which hides SHA-NI), the parsed settings
 * and every rule's state, including the generated AppArmor profile (JSON
 * parse 245 k, rules' load 230 k, of which AppArmor 75 k), and the fact
 * that validation passed (seccomp: every syscall name on every
 * architecture, 2.49 M, run once per entry).  Restoring costs 50 k, the
 * policy load 838 k before; a create that has to make its entry costs
 * 5.36 M once.  Of those 50 k, hashing (key, checksum, data files: ~27 KB)
 * is 9.7 k with AVX2 (pack_digest), the seccomp rule's state 21 k.  The
 * restored policy keeps the entry (struct policy's entry): its string
 * lists point into it rather than each string being copied (pack_strv:
 * 53 k less than a malloc per string). */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiled.h"
#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/exemption.h"
#include "secshim/pack.h"
#include "secshim/policy.h"
#include "secshim/util.h"

#define DEFAULT_CACHE_DIR "/run/secshim/compiled"
#define FORMAT "2" /* of the entry: change it with the layout of compiled_pack */
#define ENTRY_MAX_BYTES ((size_t) 16 * 1024 * 1024)

static bool cache_full;
static const char *cache_dir = DEFAULT_CACHE_DIR;
static unsigned validate_runs;

void
policy_cache_set (bool full, const char *dir)
{
  cache_full = full;
  cache_dir = dir ? dir : DEFAULT_CACHE_DIR;
}

unsigned
policy_validate_runs (void)
{
  return validate_runs;
}

/* ---- the key ---- */

/* The GNU build id of the running executable: any change to secshim's code,
 * or to a library linked into it statically, changes it, whatever VERSION
 * says.  Empty when the binary has none. */
static int
find_build_id (struct dl_phdr_info *info, size_t size, void *data)
{
  char *hex = data;
  int i;

  for (i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      const unsigned char *p, *end;
      if (ph->p_type != PT_NOTE)
        continue;
      p = (const unsigned char *) (info->dlpi_addr + ph->p_vaddr);
      end = p + ph->p_memsz;
      while ((size_t) (end - p) >= sizeof (ElfW (Nhdr)))
        {
          const ElfW (Nhdr) *nh = (const ElfW (Nhdr) *) p;
          size_t name_len = (nh->n_namesz + 3) & ~(size_t) 3, desc_len = (nh->n_descsz + 3) & ~(size_t) 3;
          const unsigned char *name = p + sizeof *nh, *desc = name + name_len;
          if ((size_t) (end - name) < name_len + desc_len)
            break;
          if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp (name, "GNU", 4) == 0 && nh->n_descsz <= 64)
            {
              static const char digits[] = "0123456789abcdef";
              size_t j;
              for (j = 0; j < nh->n_descsz; j++)
                {
                  hex[2 * j] = digits[desc[j] >> 4];
                  hex[2 * j + 1] = digits[desc[j] & 0xf];
                }
              return 1;
            }
          p = desc + desc_len;
        }
    }
  return 1; /* the first object is the executable: stop there */
}

static const char *
build_id (void)
{
  static char hex[129];
  static bool done;
  if (!done)
    {
      dl_iterate_phdr (find_build_id, hex);
      done = true;
    }
  return hex;
}

static void
hex16 (const uint8_t d[16], char out[33])
{
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < 16; i++)
    {
      out[2 * i] = digits[d[i] >> 4];
      out[2 * i + 1] = digits[d[i] & 0xf];
    }
  out[32] = '\0';
}

/* The key (build, path, policy bytes) as text, which the entry holds
 * whole, and the entry's file name: the hex digest of that text. */
static char *
entry_key (const char *path, const char *buf, size_t len, char name[33])
{
  /* Joined by hand: this runs at every load, and vasprintf costs ~4 k
   * instructions more. */
  const char *parts[] = { "secshim compiled policy " FORMAT "\nversion " SECSHIM_VERSION "\nbuild ",
                          build_id (),
                          "\npath ",
                          path,
                          "\npolicy ",
                          NULL,
                          "\n" };
  size_t lens[sizeof parts / sizeof parts[0]], total = 1, i;
  uint8_t d[16];
  char hex[33], *text, *at;

  pack_digest (buf, len, d);
  hex16 (d, hex);
  parts[5] = hex;
  for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
    total += lens[i] = strlen (parts[i]);
  at = text = xmalloc (total);
  for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
    at = mempcpy (at, parts[i], lens[i]);
  *at = '\0';
  pack_digest (text, total - 1, d);
  hex16 (d, name);
  return text;
}

/* ---- the directory ---- */

/* Open dir (relative to at) as an O_PATH descriptor, creating it first when
 * asked; -1 unless it is a real directory of the effective uid that group
 * and others cannot write. */
static int
open_trusted_dir (int at, const char *name, bool create)
{
  int fd;
  struct stat st;

  if (create && mkdirat (at, name, 0700) < 0 && errno != EEXIST)
    return -1;
  fd = openat (at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & (S_IWGRP | S_IWOTH)))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* The cache directory and its parent must both be trusted: whoever can
 * rename entries of the parent could swap the directory. */
static int
open_cache_dir (bool create)
{
  cleanup_free char *parent = xstrdup (cache_dir);
  cleanup_close int parent_fd = -1;
  char *slash = strrchr (parent, '/');
  const char *leaf;

  if (slash == NULL || slash == parent || slash[1] == '\0')
    return -1; /* absolute, not "/" itself, and with a parent below "/" */
  *slash = '\0';
  leaf = slash + 1;
  parent_fd = open_trusted_dir (AT_FDCWD, parent, create);
  if (parent_fd < 0)
    return -1;
  return open_trusted_dir (parent_fd, leaf, create);
}

bool
compiled_enabled (void)
{
  /* Without a build id an entry could outlive the code that wrote it. */
  return !cache_full && build_id ()[0] != '\0';
}

/* ---- what an entry holds ---- */

static bool
is_hex64 (const char *s)
{
  return s[64] == '\0' && strspn (s, "0123456789abcdef") == 64;
}

/* Rule i of p, whose table slot must be at least *next (table order, each
 * rule once). */
static void
pack_rule (struct pack *k, struct policy *p, size_t i, size_t *next)
{
  struct rule_config *r = &p->rules[i];
  size_t slot = 0;
  uint32_t action = r->action;

  if (!k->reading)
    while (secshim_rules[slot] != r->ops)
      slot++;
  pack_size (k, &slot);
  if (k->reading && !k->bad)
    {
      if (slot >= secshim_n_rules || slot < *next)
        {
          pack_fail (k);
          return;
        }
      *next = slot + 1;
      r->ops = secshim_rules[slot];
      p->n_rules = i + 1; /* policy_free frees a half-restored state */
    }
  if (k->bad)
    return;
  pack_expect_str (k, r->ops->name);
  pack_u32 (k, &action);
  if (k->reading && (action == 0 || (action & (action - 1)) != 0 || !(action & r->ops->actions)))
    {
      pack_fail (k);
      return;
    }
  r->action = (enum action) action;
  if (r->ops->load == NULL)
    return;
  if (r->ops->pack == NULL)
    pack_fail (k); /* this rule cannot be compiled */
  else
    r->ops->pack (k, &r->state);
}

void
compiled_pack (struct pack *k, struct policy *p)
{
  int linux_mode = p->audit_linux, on_failure = p->audit_on_failure;
  size_t i, n = p->n_rules, next = 0;

  pack_fixed (k, p->sha256, sizeof p->sha256);
  if (k->reading && !k->bad && !is_hex64 (p->sha256))
    pack_fail (k);
  pack_enum (k, &p->version, 2);
  pack_str (k, &p->runtime);
  pack_str (k, &p->audit_log);
  pack_bool (k, &p->audit_syslog);
  pack_enum (k, &linux_mode, AUDIT_LINUX_ON + 1);
  pack_enum (k, &on_failure, AUDIT_ON_FAILURE_ALLOW + 1);
  p->audit_linux = (enum audit_linux) linux_mode;
  p->audit_on_failure = (enum audit_on_failure) on_failure;
  exemptions_pack (k, p);
  pack_size (k, &n);
  if (k->reading && !k->bad)
    {
      if (n > secshim_n_rules)
        {
          pack_fail (k);
          return;
        }
      p->rules = xzalloc ((secshim_n_rules + 1) * sizeof *p->rules);
    }
  for (i = 0; i < n && !k->bad; i++)
    pack_rule (k, p, i, &next);
}

/* ---- reading ---- */

static int
read_entry (const char *name, char **buf, size_t *len)
{
  cleanup_close int dir = open_cache_dir (false);
  struct stat st;

  if (dir < 0)
    return -1;
  if (file_read_at (dir, name, O_NOFOLLOW, FILE_REGULAR | FILE_TRUSTED, ENTRY_MAX_BYTES, buf, len, &st) < 0)
    return -1;
  /* Root's entries are not the caller's when secshim runs as a user. */
  return st.st_uid == geteuid () ? 0 : -1;
}

int
compiled_load (const char *path, const char *buf, size_t len, struct policy **out)
{
  cleanup_free char *key = NULL, *entry = NULL;
  cleanup_with (policy_free) struct policy *p = NULL;
  struct pack k = { .reading = true };
  uint8_t sum[16];
  size_t entry_len = 0;
  char name[33];

  key = entry_key (path, buf, len, name);
  if (read_entry (name, &entry, &entry_len) < 0 || entry_len < sizeof sum)
    return -1;
  entry_len -= sizeof sum;
  pack_digest (entry, entry_len, sum);
  if (memcmp (sum, entry + entry_len, sizeof sum) != 0)
    return -1;
  p = xzalloc (sizeof *p);
  p->path = xstrdup (path);
  p->entry = steal_pointer (&entry); /* restored strings point into it */
  k.at = p->entry;
  k.end = p->entry + entry_len;
  pack_expect_str (&k, key);
  compiled_pack (&k, p);
  p->arena = k.arena; /* policy_free frees it, after the states that use it */
  if (k.bad || k.at != k.end)
    return -1;
  p->validation_skipped = true;
  *out = steal_pointer (&p);
  return 0;
}

/* ---- writing ---- */

/* Write the entry under a temporary name (O_EXCL) and rename it in place,
 * so that an entry is either absent or complete (the checksum catches the
 * rest). */
void
compiled_store (struct policy *p, const char *buf, size_t len)
{
  cleanup_free char *key = NULL, *tmp = NULL;
  cleanup_close int dir = -1;
  cleanup_close int fd = -1;
  struct pack k = { .reading = false };
  uint8_t sum[16];
  char name[33];
  int attempt;

  key = entry_key (p->path, buf, len, name);
  pack_expect_str (&k, key);
  compiled_pack (&k, p);
  if (k.bad)
    goto out;
  pack_digest (k.buf, k.len, sum);
  pack_fixed (&k, sum, sizeof sum);
  dir = open_cache_dir (true);
  if (dir < 0)
    goto out;
  xasprintf (&tmp, ".%s.%ld.tmp", name, (long) getpid ());
  for (attempt = 0; attempt < 2 && fd < 0; attempt++)
    {
      fd = openat (dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST)
        unlinkat (dir, tmp, 0); /* left by a process with our pid that died */
    }
  if (fd < 0)
    goto out;
  if (write_all_fd (fd, k.buf, k.len) < 0 || renameat (dir, tmp, dir, name) < 0)
    unlinkat (dir, tmp, 0);
out:
  free (k.buf);
}

/* ---- validation ---- */

int
policy_validate (const struct policy *p, secshim_error_t *err)
{
  size_t i;
  validate_runs++;
  for (i = 0; i < p->n_rules; i++)
    if (p->rules[i].ops->validate && p->rules[i].ops->validate (p->rules[i].state, err) < 0)
      return -1;
  return 0;
}
