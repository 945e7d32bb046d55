/* Host facts for the rules: see host.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <sys/apparmor.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/hosts.h"
#include "secshim/landlock.h"
#include "secshim/resolve.h"
#include "secshim/util.h"

static int
real_canonicalize (const struct host *h, const char *path, char **out, secshim_error_t *err)
{
  int rc;
  if (path == NULL || path[0] != '/')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` is not an absolute path", path ? path : "(null)");
  rc = resolve_host (h, path, RESOLVE_MISSING_OK, out);
  if (rc < 0)
    return secshim_make_error (err, -rc, "resolving `%s`", path);
  return 0;
}

static int
lexical_canonicalize (const struct host *h, const char *path, char **out, secshim_error_t *err)
{
  if (path == NULL || path[0] != '/')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` is not an absolute path", path ? path : "(null)");
  *out = path_lexical_normalize (path);
  return 0;
}

static int
real_lstat (const struct host *h, const char *path, struct stat *st)
{
  return lstat (path, st) < 0 ? -errno : 0;
}

static int
real_stat (const struct host *h, const char *path, struct stat *st)
{
  return stat (path, st) < 0 ? -errno : 0;
}

static long
real_readlink (const struct host *h, const char *path, char *buf, size_t size)
{
  ssize_t n = readlink (path, buf, size);
  return n < 0 ? -errno : (long) n;
}

static int
real_statfs_type (const struct host *h, const char *path, unsigned long *magic)
{
  struct statfs sf;
  if (statfs (path, &sf) < 0)
    return -errno;
  *magic = (unsigned long) sf.f_type;
  return 0;
}

/* OCI namespace types are not the names of /proc/<pid>/ns entries. */
static const char *
proc_ns_name (const char *oci_type)
{
  if (strcmp (oci_type, "network") == 0)
    return "net";
  if (strcmp (oci_type, "mount") == 0)
    return "mnt";
  return oci_type;
}

#define NSFS_MAGIC_NUMBER 0x6e736673UL /* linux/magic.h NSFS_MAGIC */

/* "The host's namespace" is the one runc itself runs in, which is
 * secshim's own (/proc/self/ns/<type>); /proc/1/ns/<type> is compared too
 * where it is readable (it is not inside some sandboxes). */
static int
real_ns_is_host (const struct host *h, const char *type, const char *path, bool *is_host, secshim_error_t *err)
{
  static const char *const refs[] = { "/proc/self/ns/", "/proc/1/ns/" };
  struct stat target;
  size_t i;

  struct statfs fs;

  *is_host = false;
  if (strlen (type) > 16 || strchr (type, '/'))
    return secshim_make_error (err, SECSHIM_EINPUT, "namespace type `%s` is not valid", type);
  if (stat (path, &target) < 0)
    return secshim_make_error (err, errno, "cannot be resolved on the host");
  if (statfs (path, &fs) < 0 || (unsigned long) fs.f_type != NSFS_MAGIC_NUMBER)
    return secshim_make_error (err, SECSHIM_EINPUT, "is not a namespace file");
  for (i = 0; i < sizeof refs / sizeof refs[0]; i++)
    {
      char ref[64];
      struct stat st;
      snprintf (ref, sizeof ref, "%s%s", refs[i], proc_ns_name (type));
      if (stat (ref, &st) < 0)
        {
          /* The runtime's own is the reference that matters; pid 1's is
           * unreadable in some sandboxes (EACCES) and only a second check. */
          if (i == 0)
            return secshim_make_error (err, errno, "cannot be compared with %s", ref);
          continue;
        }
      if (st.st_dev == target.st_dev && st.st_ino == target.st_ino)
        {
          *is_host = true;
          return 0;
        }
    }
  return 0;
}

static int
real_file_identity (const struct host *h, const char *path, struct host_file_id *out, secshim_error_t *err)
{
  struct stat st;
  (void) h;
  if (path == NULL || path[0] != '/')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` is not an absolute path", path ? path : "(null)");
  if (stat (path, &st) < 0)
    return secshim_make_error (err, errno, "stat `%s`", path);
  out->dev = (unsigned long long) st.st_dev;
  out->ino = (unsigned long long) st.st_ino;
  return 0;
}

static int
fake_ns_is_host (const struct host *h, const char *type, const char *path, bool *is_host, secshim_error_t *err)
{
  /* Tests: the host's namespaces are exactly /proc/1/ns/<type>. */
  char host_ns[64];
  snprintf (host_ns, sizeof host_ns, "/proc/1/ns/%s", proc_ns_name (type));
  *is_host = strcmp (path, host_ns) == 0;
  return 0;
}

static bool
usable_helper (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0022) == 0 && (st.st_mode & 0111) == 0111
         && (st.st_uid == 0 || st.st_uid == geteuid ());
}

/* The installed helper, or the one beside /proc/self/exe (build/secshim ->
 * build/secshim-landlock) when none is installed. */
static const char *
find_landlock_helper (void)
{
  static const char installed[] = SECSHIM_LIBEXECDIR "/secshim-landlock";
  static char beside[PATH_MAX];
  char self[PATH_MAX];
  ssize_t n;
  char *slash;

  if (usable_helper (installed))
    return installed;
  n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return NULL;
  self[n] = '\0';
  slash = strrchr (self, '/');
  if (slash == NULL
      || (size_t) snprintf (beside, sizeof beside, "%.*s/secshim-landlock", (int) (slash - self), self)
             >= sizeof beside)
    return NULL;
  return usable_helper (beside) ? beside : NULL;
}

/* One line of a kernel interface file (/proc, cgroupfs), without its
 * newline, into buf: 0 or -errno. */
static int
read_kernel_line (const char *path, char *buf, size_t size)
{
  cleanup_free char *text = NULL;
  size_t n = 0;
  int r = file_read_at (AT_FDCWD, path, O_NOFOLLOW, 0, size - 1, &text, &n, NULL);

  if (r < 0)
    return r;
  if (n == 0)
    return -EIO;
  if (text[n - 1] == '\n')
    n--;
  memcpy (buf, text, n);
  buf[n] = '\0';
  return 0;
}

static int
real_engine_oom_score_adj (const struct host *h, int *score)
{
  char buf[16];
  int64_t v;
  int r = read_kernel_line ("/proc/self/oom_score_adj", buf, sizeof buf);
  if (r < 0)
    return r;
  if (parse_i64 (buf, &v) < 0 || v < -1000 || v > 1000)
    return -EINVAL;
  *score = (int) v;
  return 0;
}

/* v1 reports "no limit" for memory as the largest page-aligned count, not
 * "max": anything from 2^62 bytes up is no limit to a container. */
#define CGROUP_V1_MEMORY_UNLIMITED (1ULL << 62)

static int
real_cgroup_bounded (const struct host *h, const char *controller, const char *dir, bool *bounded)
{
  char path[PATH_MAX], buf[32];
  unsigned long magic = 0;
  bool memory = strcmp (controller, "memory") == 0;
  bool v2;
  uint64_t v;
  int r, len;

  *bounded = false;
  if ((!memory && strcmp (controller, "pids") != 0) || dir[0] != '/' || strcmp (dir, "/") == 0)
    return -EINVAL;
  if ((r = real_statfs_type (h, "/sys/fs/cgroup", &magic)) < 0)
    return r;
  v2 = magic == CGROUP2_SUPER_MAGIC;
  if (v2)
    len = snprintf (path, sizeof path, "/sys/fs/cgroup%s/%s", dir, memory ? "memory.max" : "pids.max");
  else
    len = snprintf (path, sizeof path, "/sys/fs/cgroup/%s%s/%s", controller, dir,
                    memory ? "memory.limit_in_bytes" : "pids.max");
  if (len < 0 || (size_t) len >= sizeof path)
    return -ENAMETOOLONG;
  if ((r = read_kernel_line (path, buf, sizeof buf)) < 0)
    return r;
  if (strcmp (buf, "max") == 0)
    return 0;
  if (parse_u64 (buf, &v) < 0)
    return -EINVAL;
  *bounded = memory && !v2 ? v < CGROUP_V1_MEMORY_UNLIMITED : true;
  return 0;
}

/* The real host's apparmor_ensure (aa_loader_default): with text, load it
 * unless the kernel already holds exactly it; with text NULL, fail unless
 * `name` is loaded.  Here rather than in src/apparmor, so that the AppArmor
 * module knows nothing of struct host (host -> apparmor, not both ways). */
static int
real_apparmor_ensure (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err)
{
  bool loaded;

  (void) h;
  if (text != NULL)
    return aa_ensure_loaded (&aa_loader_default, name, text, len, NULL, err);
  if (aa_profile_is_loaded (&aa_loader_default, name, &loaded, err) < 0)
    return -1;
  if (!loaded)
    return secshim_make_error (err, SECSHIM_EPOLICY, "AppArmor profile `%s` is not loaded in the kernel", name);
  return 0;
}

const struct host *
host_real (void)
{
  static struct host h;
  static bool ready;
  if (!ready)
    {
      h.canonicalize = real_canonicalize;
      h.ns_is_host = real_ns_is_host;
      h.sys_lstat = real_lstat;
      h.sys_stat = real_stat;
      h.sys_readlink = real_readlink;
      h.sys_statfs_type = real_statfs_type;
      h.file_identity = real_file_identity;
      h.engine_oom_score_adj = real_engine_oom_score_adj;
      h.cgroup_bounded = real_cgroup_bounded;
      h.apparmor_enabled = aa_is_enabled () == 1;
      h.apparmor_ensure = real_apparmor_ensure;
      h.cgroupns_supported = access ("/proc/self/ns/cgroup", F_OK) == 0;
      /* Only where it can matter: the apparmor rule uses Landlock when the
       * kernel has no AppArmor. */
      if (!h.apparmor_enabled)
        {
          h.landlock_abi = ll_abi_version ();
          h.landlock_helper = h.landlock_abi > 0 ? find_landlock_helper () : NULL;
        }
      ready = true;
    }
  return &h;
}

static const struct host *current_host;

const struct host *
host_current (void)
{
  return current_host ? current_host : host_real ();
}

void
host_set_current (const struct host *h)
{
  current_host = h;
}

void
host_fake_init (struct host *h, bool apparmor_enabled, bool cgroupns_supported)
{
  memset (h, 0, sizeof *h);
  h->canonicalize = lexical_canonicalize;
  h->ns_is_host = fake_ns_is_host;
  h->apparmor_enabled = apparmor_enabled;
  h->cgroupns_supported = cgroupns_supported;
}
