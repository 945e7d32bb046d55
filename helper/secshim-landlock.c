/* secshim-landlock: confine a container process with Landlock, then exec it.
 *
 *   secshim-landlock [-d CLASSES:PATH]... [-n] -- PROGRAM [ARG]...
 *
 * secshim prefixes a container's process.args with this helper (bind-mounted
 * read-only into the container) when the policy's AppArmor profile is to be
 * enforced by Landlock.  runc has already done everything it does before
 * exec (pivot_root, mounts, user switch, capabilities, no_new_privs,
 * seccomp), so the helper runs as the container's user inside the
 * container's root.  It builds one Landlock ruleset, restricts itself and
 * execve()s PROGRAM: it never stays as the container's process.
 *
 * -d CLASSES:PATH  deny, on PATH and everything beneath it, the rights of
 *                  each class letter: r (read files, list directories),
 *                  w (write, create, remove, rename, truncate), x (execute);
 *                  t means PATH came from a glob (a trailing slash-star-star) and may be
 *                  reached through symlinks (a merged-/usr `/bin`); without
 *                  t a PATH whose last component is a symlink is not
 *                  enforced, as AppArmor would not match it either.
 * -n               deny TCP bind and connect (Landlock ABI >= 4).
 *
 *   secshim-landlock --abi    print the kernel's Landlock ABI (0: none)
 *
 * Landlock only grants, so "everything except the denied trees" is built by
 * granting, on each directory on the way down to a denied path, the rights
 * no deeper rule denies, and on every other entry of that directory
 * everything its ancestors do not deny ("carving": see docs/apparmor.md).
 * Grant failures only leave more denied; failing to create or enforce the
 * ruleset is fatal: the program is not run unconfined (exit 126).
 *
 * Freestanding: no libc, raw system calls (x86_64 and aarch64), so that it
 * runs in any image, static or not. */
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/landlock.h>
#include <linux/prctl.h>
#include <linux/stat.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* Access rights by ABI; defined here so that older kernel headers build. */
#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_CHAR (1ULL << 6)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_MAKE_SOCK (1ULL << 9)
#define FS_MAKE_FIFO (1ULL << 10)
#define FS_MAKE_BLOCK (1ULL << 11)
#define FS_MAKE_SYM (1ULL << 12)
#define FS_REFER (1ULL << 13)    /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)

#define FS_ABI1 ((1ULL << 13) - 1)
#define FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE)
#define CLASS_R (FS_READ_FILE | FS_READ_DIR)
#define CLASS_W                                                                                                        \
  (FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_CHAR | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK            \
   | FS_MAKE_FIFO | FS_MAKE_BLOCK | FS_MAKE_SYM | FS_REFER | FS_TRUNCATE)
#define CLASS_X FS_EXECUTE

#define MAX_RULES 256
#define MAX_PATH 4096

struct ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
};

struct path_beneath_attr
{
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__ ((packed));

struct linux_dirent64
{
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

#define DT_DIR 4
#define DT_LNK 10
#define DT_UNKNOWN 0

/* ---- system calls ---- */

static long
sys6 (long n, long a, long b, long c, long d, long e, long f)
{
  long ret;
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  ret = x0;
#else
#error "secshim-landlock: only x86_64 and aarch64 are supported"
#endif
  return ret;
}

#define SYS(n, a, b, c, d, e) sys6 ((n), (long) (a), (long) (b), (long) (c), (long) (d), (long) (e), 0)

static void __attribute__ ((noreturn)) sys_exit (int status)
{
  for (;;)
    SYS (__NR_exit_group, status, 0, 0, 0, 0);
}

/* The compiler may emit calls to these even in freestanding code. */
void *memcpy (void *d, const void *s, size_t n);
void *memset (void *d, int c, size_t n);
void *
memcpy (void *d, const void *s, size_t n)
{
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--)
    *dp++ = *sp++;
  return d;
}

void *
memset (void *d, int c, size_t n)
{
  unsigned char *dp = d;
  while (n--)
    *dp++ = (unsigned char) c;
  return d;
}

static size_t
slen (const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

static int
seq (const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

static void
put (const char *s)
{
  SYS (__NR_write, 2, s, slen (s), 0, 0);
}

static void
put_num (long v)
{
  char buf[24];
  int i = (int) sizeof buf;
  buf[--i] = '\0';
  if (v < 0)
    v = -v;
  do
    buf[--i] = (char) ('0' + v % 10);
  while ((v /= 10) && i > 0);
  put (buf + i);
}

/* "secshim-landlock: WHAT[NAME][TAIL][: errno N]" and exit. */
static void __attribute__ ((noreturn)) die3 (const char *what, const char *name, const char *tail, long err, int status)
{
  put ("secshim-landlock: ");
  put (what);
  if (name)
    put (name);
  if (tail)
    put (tail);
  if (err)
    {
      static const struct
      {
        long n;
        const char *s;
      } names[] = { { 1, "operation not permitted" },   { 2, "no such file or directory" }, { 8, "exec format error" },
                    { 13, "permission denied" },        { 20, "not a directory" },          { 22, "invalid argument" },
                    { 38, "function not implemented" }, { 95, "operation not supported" } };
      size_t i;
      put (": ");
      for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].n == err)
          break;
      if (i < sizeof names / sizeof names[0])
        put (names[i].s);
      else
        {
          put ("errno ");
          put_num (err);
        }
    }
  put ("\n");
  sys_exit (status);
}

static void __attribute__ ((noreturn)) die (const char *what, long err, int status)
{
  die3 (what, NULL, NULL, err, status);
}

/* ---- rules ---- */

struct rule
{
  uint64_t deny; /* Landlock rights denied on the path and beneath */
  char path[MAX_PATH];
  size_t len; /* canonical, no trailing '/'; the root is "" (len 0) */
};

static struct rule rules[MAX_RULES];
static size_t n_rules;
static uint64_t handled;

/* a is p or an ancestor of p. */
static int
at_or_beneath (const char *p, size_t plen, const char *a, size_t alen)
{
  size_t i;
  if (alen == 0)
    return 1;
  if (plen < alen)
    return 0;
  for (i = 0; i < alen; i++)
    if (p[i] != a[i])
      return 0;
  return plen == alen || p[alen] == '/';
}

static int
open_path (const char *p, size_t len, int flags)
{
  char buf[MAX_PATH + 1];
  if (len == 0)
    return (int) SYS (__NR_openat, AT_FDCWD, "/", flags | O_CLOEXEC, 0, 0);
  memcpy (buf, p, len);
  buf[len] = '\0';
  return (int) SYS (__NR_openat, AT_FDCWD, buf, flags | O_CLOEXEC, 0, 0);
}

static unsigned
file_type (int dirfd, const char *name, int flags)
{
  struct statx st;
  memset (&st, 0, sizeof st);
  if (SYS (__NR_statx, dirfd, name, flags, STATX_TYPE, &st) < 0)
    return 0;
  return st.stx_mode & S_IFMT;
}

/* The path fd refers to, as seen from inside the container; falls back to
 * the lexical spelling when /proc is not there. */
static int
fd_path (int fd, char *out, size_t *len)
{
  char link[40] = "/proc/self/fd/";
  char tmp[24];
  int i = 0, k = 14;
  long n, v = fd;
  do
    tmp[i++] = (char) ('0' + v % 10);
  while ((v /= 10) && i < 20);
  while (i > 0)
    link[k++] = tmp[--i];
  link[k] = '\0';
  n = SYS (__NR_readlinkat, AT_FDCWD, link, out, MAX_PATH - 1, 0);
  if (n <= 0 || out[0] != '/')
    return -1;
  if (n == 1)
    n = 0; /* "/" */
  out[n] = '\0';
  *len = (size_t) n;
  return 0;
}

static uint64_t
class_rights (const char *c, const char *end, int *tree)
{
  uint64_t r = 0;
  for (; c < end; c++)
    switch (*c)
      {
      case 'r':
        r |= CLASS_R;
        break;
      case 'w':
        r |= CLASS_W;
        break;
      case 'x':
        r |= CLASS_X;
        break;
      case 't':
        *tree = 1;
        break;
      default:
        die ("-d: unknown class letter (expected r, w, x, t)", 0, 126);
      }
  return r;
}

/* Resolve one -d argument to a canonical path in the container and record
 * it; a path that does not exist protects nothing and is dropped. */
static void
add_deny (const char *arg)
{
  const char *colon = arg, *path;
  struct rule *r;
  int tree = 0, fd;
  uint64_t deny;
  unsigned type;
  size_t plen;

  while (*colon && *colon != ':')
    colon++;
  if (*colon != ':' || colon[1] != '/')
    die ("-d: expected CLASSES:/PATH", 0, 126);
  deny = class_rights (arg, colon, &tree) & handled;
  path = colon + 1;
  plen = slen (path);
  if (plen >= MAX_PATH)
    die ("-d: path too long", 0, 126);
  if (n_rules == MAX_RULES)
    die ("too many -d rules", 0, 126);
  if (deny == 0)
    return;
  r = &rules[n_rules];
  if (tree)
    {
      fd = open_path (path, plen, O_PATH);
      if (fd < 0)
        return;
      type = file_type (fd, "", AT_EMPTY_PATH);
    }
  else
    {
      /* Resolve the directory, not the last component. */
      size_t cut = plen;
      char base[MAX_PATH];
      size_t blen;
      while (cut > 0 && path[cut - 1] == '/')
        cut--;
      blen = cut;
      while (cut > 0 && path[cut - 1] != '/')
        cut--;
      blen -= cut;
      if (blen == 0)
        {
          fd = open_path ("/", 1, O_PATH);
          type = S_IFDIR;
        }
      else
        {
          int dfd = open_path (path, cut > 1 ? cut - 1 : 0, O_PATH | O_DIRECTORY);
          if (dfd < 0)
            return;
          memcpy (base, path + cut, blen);
          base[blen] = '\0';
          type = file_type (dfd, base, AT_SYMLINK_NOFOLLOW);
          if (type == 0 || type == S_IFLNK)
            {
              SYS (__NR_close, dfd, 0, 0, 0, 0);
              return;
            }
          fd = (int) SYS (__NR_openat, dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
          SYS (__NR_close, dfd, 0, 0, 0, 0);
        }
      if (fd < 0)
        return;
    }
  if (fd_path (fd, r->path, &r->len) < 0)
    {
      /* No /proc: the lexical path (glob rules are written canonical). */
      size_t n = plen;
      while (n > 0 && path[n - 1] == '/')
        n--;
      memcpy (r->path, path, n);
      r->path[n] = '\0';
      r->len = n;
    }
  SYS (__NR_close, fd, 0, 0, 0, 0);
  r->deny = type == S_IFDIR ? deny : deny & FILE_RIGHTS;
  if (r->deny)
    n_rules++;
}

static void
grant (int ruleset, int fd, uint64_t rights)
{
  struct path_beneath_attr a;
  if (rights == 0)
    return;
  a.allowed_access = rights;
  a.parent_fd = fd;
  /* A failure leaves the path with fewer rights: never less confined. */
  SYS (__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &a, 0, 0);
}

/* Node = a rule path or one of its ancestors: rules[ri].path[0..len). */
static int
seen_before (size_t ri, size_t len)
{
  size_t j;
  for (j = 0; j < ri; j++)
    if (at_or_beneath (rules[j].path, rules[j].len, rules[ri].path, len))
      return 1;
  return 0;
}

static int
is_node (const char *p, size_t len)
{
  size_t j;
  for (j = 0; j < n_rules; j++)
    if (at_or_beneath (rules[j].path, rules[j].len, p, len))
      return 1;
  return 0;
}

static char dents[8192] __attribute__ ((aligned (8)));

static void
carve_node (int ruleset, const char *p, size_t len)
{
  uint64_t d = 0, dsub = 0;
  unsigned type;
  size_t j;
  int fd;

  for (j = 0; j < n_rules; j++)
    {
      if (at_or_beneath (p, len, rules[j].path, rules[j].len))
        d |= rules[j].deny;
      else if (at_or_beneath (rules[j].path, rules[j].len, p, len))
        dsub |= rules[j].deny;
    }
  fd = open_path (p, len, O_PATH);
  if (fd < 0)
    return;
  type = file_type (fd, "", AT_EMPTY_PATH);
  grant (ruleset, fd, handled & ~(d | dsub) & (type == S_IFDIR ? ~0ULL : FILE_RIGHTS));
  SYS (__NR_close, fd, 0, 0, 0, 0);
  if (type != S_IFDIR || (dsub & ~d & handled) == 0)
    return;

  /* Every entry that leads to no rule gets what the ancestors allow. */
  fd = open_path (p, len, O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return; /* unreadable: its entries keep only what the ancestors grant */
  for (;;)
    {
      long n = SYS (__NR_getdents64, fd, dents, sizeof dents, 0, 0), off = 0;
      if (n <= 0)
        break;
      while (off < n)
        {
          struct linux_dirent64 *e = (struct linux_dirent64 *) (dents + off);
          char child[MAX_PATH];
          size_t nl = slen (e->d_name);
          off += e->d_reclen;
          if (seq (e->d_name, ".") || seq (e->d_name, "..") || len + 1 + nl >= MAX_PATH)
            continue;
          memcpy (child, p, len);
          child[len] = '/';
          memcpy (child + len + 1, e->d_name, nl + 1);
          if (is_node (child, len + 1 + nl))
            continue;
          {
            unsigned ct = e->d_type == DT_UNKNOWN ? 0 : (unsigned) e->d_type << 12;
            int cfd;
            if (ct == 0)
              ct = file_type (fd, e->d_name, AT_SYMLINK_NOFOLLOW);
            if (ct == S_IFLNK || ct == 0)
              continue; /* a link is judged where it leads */
            cfd = (int) SYS (__NR_openat, fd, e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
            if (cfd < 0)
              continue;
            grant (ruleset, cfd, handled & ~d & (ct == S_IFDIR ? ~0ULL : FILE_RIGHTS));
            SYS (__NR_close, cfd, 0, 0, 0, 0);
          }
        }
    }
  SYS (__NR_close, fd, 0, 0, 0, 0);
}

/* ---- program ---- */

static void __attribute__ ((noreturn)) run (char **argv, char **envp)
{
  const char *prog = argv[0], *path = NULL, *s;
  char buf[MAX_PATH];
  long err = -2; /* ENOENT */
  size_t pl = slen (prog);
  char **e;

  for (s = prog; *s; s++)
    if (*s == '/')
      {
        err = SYS (__NR_execve, prog, argv, envp, 0, 0);
        die3 ("exec: \"", prog, "\"", -err, err == -2 ? 127 : 126);
      }
  /* As runc (Go's exec.LookPath): search $PATH from the environment. */
  for (e = envp; *e; e++)
    if ((*e)[0] == 'P' && (*e)[1] == 'A' && (*e)[2] == 'T' && (*e)[3] == 'H' && (*e)[4] == '=')
      path = *e + 5;
  while (path && *path)
    {
      const char *end = path;
      size_t dl;
      long r;
      while (*end && *end != ':')
        end++;
      dl = (size_t) (end - path);
      if (dl == 0)
        dl = 1, path = ".";
      if (dl + 1 + pl < sizeof buf)
        {
          memcpy (buf, path, dl);
          buf[dl] = '/';
          memcpy (buf + dl + 1, prog, pl + 1);
          r = SYS (__NR_execve, buf, argv, envp, 0, 0);
          if (r != -2 && r != -20 /* ENOTDIR */)
            err = r;
        }
      path = *end ? end + 1 : end;
    }
  if (err == -2)
    die3 ("exec: \"", prog, "\": executable file not found in $PATH", 0, 127);
  die3 ("exec: \"", prog, "\"", -err, 126);
}

int main (int argc, char **argv, char **envp);

int
main (int argc, char **argv, char **envp)
{
  struct ruleset_attr attr = { 0, 0 };
  long abi;
  int i, ruleset, deny_tcp = 0;
  size_t r, k;

  abi = SYS (__NR_landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0, 0);
  if (argc == 2 && seq (argv[1], "--abi"))
    {
      char out[24];
      int j = (int) sizeof out;
      long v = abi > 0 ? abi : 0;
      out[--j] = '\0';
      out[--j] = '\n';
      do
        out[--j] = (char) ('0' + v % 10);
      while ((v /= 10) && j > 0);
      SYS (__NR_write, 1, out + j, sizeof out - 1 - (size_t) j, 0, 0);
      return 0;
    }
  if (abi < 1)
    die ("Landlock is not available (landlock_create_ruleset); refusing to run the command unconfined", -abi, 126);
  handled = FS_ABI1 | (abi >= 2 ? FS_REFER : 0) | (abi >= 3 ? FS_TRUNCATE : 0);

  for (i = 1; i < argc; i++)
    {
      if (seq (argv[i], "--"))
        break;
      if (seq (argv[i], "-n"))
        deny_tcp = 1;
      else if (seq (argv[i], "-d") && i + 1 < argc)
        add_deny (argv[++i]);
      else
        die ("usage: secshim-landlock [-d CLASSES:PATH]... [-n] -- PROGRAM [ARG]...", 0, 126);
    }
  if (i >= argc - 1)
    die ("usage: secshim-landlock [-d CLASSES:PATH]... [-n] -- PROGRAM [ARG]...", 0, 126);

  /* Handle only what some rule denies (and REFER, which any ruleset denies
   * unless granted): everything else is not Landlock's business. */
  {
    uint64_t used = 0;
    for (r = 0; r < n_rules; r++)
      used |= rules[r].deny;
    attr.handled_access_fs = used ? used | (handled & FS_REFER) : 0;
  }
  if (deny_tcp && abi >= 4)
    attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
  handled = attr.handled_access_fs;
  if (handled == 0 && attr.handled_access_net == 0)
    run (argv + i + 1, envp); /* nothing to restrict in this image */

  ruleset = (int) SYS (__NR_landlock_create_ruleset, &attr, abi >= 4 ? sizeof attr : sizeof attr.handled_access_fs, 0,
                       0, 0);
  if (ruleset < 0)
    die ("landlock_create_ruleset", -ruleset, 126);
  if (handled)
    {
      for (r = 0; r < n_rules; r++)
        {
          if (!seen_before (r, 0))
            carve_node (ruleset, "", 0);
          for (k = 1; k <= rules[r].len; k++)
            if ((k == rules[r].len || rules[r].path[k] == '/') && !seen_before (r, k))
              carve_node (ruleset, rules[r].path, k);
        }
    }
  /* Landlock needs no_new_privs without CAP_SYS_ADMIN; runc has set it when
   * the config asks (secshim's policy forces it); setting it again is a
   * no-op, and setting it here covers a policy that does not force it. */
  if (SYS (__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("prctl(PR_SET_NO_NEW_PRIVS)", 0, 126);
  {
    long ret = SYS (__NR_landlock_restrict_self, ruleset, 0, 0, 0, 0);
    if (ret < 0)
      die ("landlock_restrict_self", -ret, 126);
  }
  SYS (__NR_close, ruleset, 0, 0, 0, 0);
  run (argv + i + 1, envp);
}

/* The kernel's entry: [sp] = argc, then argv, NULL, envp, NULL. */
void _start_c (long *sp) __attribute__ ((noreturn, used));
void
_start_c (long *sp)
{
  int argc = (int) sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  sys_exit (main (argc, argv, envp));
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n  xor %rbp,%rbp\n  mov %rsp,%rdi\n  and $-16,%rsp\n  call _start_c\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  and sp, x0, #-16\n  "
        "b _start_c\n");
#endif
