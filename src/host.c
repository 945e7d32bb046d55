/* Host facts for the rules: see host.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/apparmor.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/host.h"
#include "secshim/util.h"

/* Max symlinks followed while canonicalising, as the kernel's MAXSYMLINKS. */
#define MAX_SYMLINKS 40
#define MAX_COMPONENTS 4096

/* Append component c (length n) to the canonical path being built, handling
 * "." and "..".  out always starts with '/' and has no trailing '/'. */
static void
push_component (char *out, size_t *len, const char *c, size_t n)
{
  if (n == 0 || (n == 1 && c[0] == '.'))
    return;
  if (n == 2 && c[0] == '.' && c[1] == '.')
    {
      while (*len > 0 && out[*len - 1] != '/')
        (*len)--;
      if (*len > 0)
        (*len)--; /* drop the '/' too */
      out[*len] = '\0';
      return;
    }
  out[(*len)++] = '/';
  memcpy (out + *len, c, n);
  *len += n;
  out[*len] = '\0';
}

/* Walk path component by component.  A component that exists and is a
 * symlink is replaced by its target (bounded by MAX_SYMLINKS); a component
 * that does not exist ends resolution and the rest is kept lexically. */
static int
canonicalize_impl (const char *path, char **out, secshim_error_t *err)
{
  cleanup_free char *todo = NULL;
  char result[PATH_MAX + 1];
  size_t len = 0;
  int links = 0, components = 0;
  bool exists = true;
  const char *p;

  if (path == NULL || path[0] != '/')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` is not an absolute path", path ? path : "(null)");
  if (strlen (path) > PATH_MAX)
    return secshim_make_error (err, SECSHIM_EINPUT, "path is longer than %d bytes", PATH_MAX);
  todo = xstrdup (path);
  result[0] = '\0';
  p = todo;
  while (*p)
    {
      const char *start;
      size_t n;
      while (*p == '/')
        p++;
      start = p;
      while (*p && *p != '/')
        p++;
      n = (size_t) (p - start);
      if (n == 0)
        break;
      if (++components > MAX_COMPONENTS || len + 1 + n > PATH_MAX)
        return secshim_make_error (err, SECSHIM_EINPUT, "path `%s` is too long", path);
      push_component (result, &len, start, n);
      if (!exists || (n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
        continue;
      {
        struct stat st;
        char target[PATH_MAX + 1];
        ssize_t tl;
        char *next = NULL;
        if (lstat (len ? result : "/", &st) < 0)
          {
            exists = false; /* the rest stays lexical */
            continue;
          }
        if (!S_ISLNK (st.st_mode))
          continue;
        if (++links > MAX_SYMLINKS)
          return secshim_make_error (err, ELOOP, "resolving `%s`", path);
        tl = readlink (result, target, PATH_MAX);
        if (tl < 0)
          return secshim_make_error (err, errno, "readlink `%s`", result);
        target[tl] = '\0';
        /* Restart with target + rest of the path. */
        if (target[0] == '/')
          {
            len = 0;
            result[0] = '\0';
          }
        else
          {
            while (len > 0 && result[len - 1] != '/')
              len--;
            if (len > 0)
              len--;
            result[len] = '\0';
          }
        xasprintf (&next, "%s/%s", target, p);
        free (todo);
        todo = next;
        p = todo;
      }
    }
  *out = xstrdup (len ? result : "/");
  return 0;
}

static int
real_canonicalize (const struct host *h, const char *path, char **out, secshim_error_t *err)
{
  return canonicalize_impl (path, out, err);
}

static int
lexical_canonicalize (const struct host *h, const char *path, char **out, secshim_error_t *err)
{
  if (path == NULL || path[0] != '/')
    return secshim_make_error (err, SECSHIM_EINPUT, "`%s` is not an absolute path", path ? path : "(null)");
  *out = path_lexical_normalize (path);
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

/* "The host's namespace" is the one runc itself runs in, which is
 * secshim's own (/proc/self/ns/<type>); /proc/1/ns/<type> is compared too
 * where it is readable (it is not inside some sandboxes). */
static int
real_ns_is_host (const struct host *h, const char *type, const char *path, bool *is_host, secshim_error_t *err)
{
  static const char *const refs[] = { "/proc/self/ns/", "/proc/1/ns/" };
  struct stat target;
  size_t i;

  *is_host = false;
  if (strlen (type) > 16 || strchr (type, '/'))
    return secshim_make_error (err, SECSHIM_EINPUT, "namespace type `%s` is not valid", type);
  if (stat (path, &target) < 0)
    return 0; /* runc cannot join it either; not the host's */
  for (i = 0; i < sizeof refs / sizeof refs[0]; i++)
    {
      char ref[64];
      struct stat st;
      snprintf (ref, sizeof ref, "%s%s", refs[i], proc_ns_name (type));
      if (stat (ref, &st) == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino)
        {
          *is_host = true;
          return 0;
        }
    }
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

const struct host *
host_real (void)
{
  static struct host h;
  static bool ready;
  if (!ready)
    {
      h.canonicalize = real_canonicalize;
      h.ns_is_host = real_ns_is_host;
      h.apparmor_enabled = aa_is_enabled () == 1;
      h.apparmor_ensure = apparmor_host_ensure;
      h.cgroupns_supported = access ("/proc/self/ns/cgroup", F_OK) == 0;
      ready = true;
    }
  return &h;
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
