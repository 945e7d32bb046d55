/* The validated-policy cache (docs/performance.md, "Validated-policy cache").
 *
 * secshim has no daemon: the policy is loaded at every container start, and
 * its seccomp rule's validation (every syscall name resolved on every
 * architecture, the profile's self-check) was two thirds of a create.  The
 * result of that validation depends only on bytes: secshim's own build, the
 * policy file, and the data files its rules read.  So after a load validated
 * completely, the loader records an empty-ish stamp file named by the sha256
 * of those bytes, and a later load of exactly the same bytes skips the
 * rules' validate steps.  Parsing is never skipped: evaluation needs it, and
 * nothing but the hashed bytes is trusted.
 *
 * The stamps live in a directory of the effective uid, writable by no one
 * else (default /run/secshim/validated, tmpfs on most hosts: emptied at
 * boot).  Anything else about it — wrong owner, group/other-writable, a
 * symlink — and the cache is simply not used: validation runs in full.
 * Failing to record a stamp is never an error. */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/policy.h"
#include "secshim/sha256.h"
#include "secshim/util.h"
#include "validated.h"

#define DEFAULT_CACHE_DIR "/run/secshim/validated"

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
              size_t j;
              for (j = 0; j < nh->n_descsz; j++)
                sprintf (hex + 2 * j, "%02x", desc[j]);
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
cache_key (const struct policy *p, char key[65])
{
  cleanup_free char *text = NULL;
  size_t i;

  xasprintf (&text, "secshim validated-policy 1\nversion %s\nbuild %s\npolicy %s\n", SECSHIM_VERSION, build_id (),
             p->sha256);
  for (i = 0; i < p->n_rules; i++)
    {
      const struct rule_ops *ops = p->rules[i].ops;
      cleanup_free char *inputs = NULL;
      char *next = NULL;
      if (ops->validation_inputs == NULL || (inputs = ops->validation_inputs (p->rules[i].state)) == NULL)
        continue;
      xasprintf (&next, "%srule %s %s\n", text, ops->name, inputs);
      free (text);
      text = next;
    }
  sha256_hex (text, strlen (text), key);
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

static bool
stamp_exists (const char *key)
{
  cleanup_close int dir = open_cache_dir (false);
  struct stat st;

  if (dir < 0 || fstatat (dir, key, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return S_ISREG (st.st_mode) && st.st_uid == geteuid ();
}

/* Write the stamp under a temporary name (O_EXCL) and rename it in place,
 * so that a stamp is either absent or complete. */
static void
record_stamp (const char *key, const struct policy *p)
{
  cleanup_close int dir = open_cache_dir (true);
  cleanup_close int fd = -1;
  cleanup_free char *tmp = NULL, *text = NULL;
  int attempt;

  if (dir < 0)
    return;
  xasprintf (&tmp, ".%s.%ld.tmp", key, (long) getpid ());
  for (attempt = 0; attempt < 2 && fd < 0; attempt++)
    {
      fd = openat (dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST)
        unlinkat (dir, tmp, 0); /* left by a process with our pid that died */
    }
  if (fd < 0)
    return;
  xasprintf (&text, "secshim %s build %s validated policy %s (sha256 %s)\n", SECSHIM_VERSION, build_id (), p->path,
             p->sha256);
  if (write_all_fd (fd, text, strlen (text)) < 0 || renameat (dir, tmp, dir, key) < 0)
    unlinkat (dir, tmp, 0);
}

/* ---- validation ---- */

static int
run_validate_steps (const struct policy *p, secshim_error_t *err)
{
  size_t i;
  validate_runs++;
  for (i = 0; i < p->n_rules; i++)
    if (p->rules[i].ops->validate && p->rules[i].ops->validate (p->rules[i].state, err) < 0)
      return -1;
  return 0;
}

int
policy_validate (struct policy *p, bool use_cache, secshim_error_t *err)
{
  char key[65];
  bool any = false;
  size_t i;

  for (i = 0; i < p->n_rules; i++)
    any = any || p->rules[i].ops->validate != NULL;
  if (!any)
    return 0;
  if (!use_cache)
    return run_validate_steps (p, err);
  /* Full mode is `secshim check`, which must not change the host: it
   * neither trusts nor records a stamp. */
  if (cache_full)
    return run_validate_steps (p, err);
  cache_key (p, key);
  if (stamp_exists (key))
    {
      p->validation_skipped = true;
      return 0;
    }
  if (run_validate_steps (p, err) < 0)
    return -1;
  /* The key names data files by identity (src/rules/datafile.h), taken
   * when load opened them; validation read them since.  If a file was
   * written in between, what was validated is not what the key names:
   * record nothing (the next load validates again). */
  {
    char after[65];
    cache_key (p, after);
    if (strcmp (key, after) != 0)
      return 0;
  }
  record_stamp (key, p);
  return 0;
}
