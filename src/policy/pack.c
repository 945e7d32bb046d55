/* The compiled policy's encoding: see pack.h. */
#include <string.h>

#if defined(__x86_64__)
#include <sys/platform/x86.h>
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "digest.h"

#include "secshim/pack.h"
#include "secshim/util.h"

/* Strings and arrays of a policy are small; this bounds a corrupt length
 * before it is added to anything. */
#define PACK_MAX_LEN ((uint64_t) 1 << 30)
/* The default policy's string lists need ~3 KB of arrays: one chunk. */
#define ARENA_CHUNK ((size_t) 8192)

struct pack_arena
{
  struct pack_arena *next;
  size_t used, cap;
  max_align_t data[];
};

/* Inlined into pack_strv, which takes one array per string list (~70). */
static inline __attribute__ ((always_inline)) void *
arena_alloc (struct pack *k, size_t size)
{
  struct pack_arena *a = k->arena;
  void *p;

  size = (size + sizeof (max_align_t) - 1) / sizeof (max_align_t) * sizeof (max_align_t);
  if (a == NULL || a->cap - a->used < size)
    {
      size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
      a = xmalloc (sizeof *a + cap); /* zeroed as handed out: calloc would clear all of it */
      a->used = 0;
      a->cap = cap;
      a->next = k->arena;
      k->arena = a;
    }
  p = (char *) a->data + a->used;
  a->used += size;
  return memset (p, 0, size);
}

void *
pack_arena_alloc (struct pack *k, size_t size)
{
  return arena_alloc (k, size);
}

void
pack_arena_free (struct pack_arena *a)
{
  while (a != NULL)
    {
      struct pack_arena *next = a->next;
      free (a);
      a = next;
    }
}

static void
put (struct pack *k, const void *p, size_t n)
{
  if (k->len + n > k->cap)
    {
      k->cap = k->cap ? 2 * k->cap : 4096;
      while (k->len + n > k->cap)
        k->cap *= 2;
      k->buf = xrealloc (k->buf, k->cap);
    }
  memcpy (k->buf + k->len, p, n);
  k->len += n;
}

/* The next n bytes, or NULL (and bad) when fewer are left. */
static const char *
get (struct pack *k, size_t n)
{
  const char *p = k->at;
  if (k->bad || (size_t) (k->end - k->at) < n)
    {
      k->bad = true;
      return NULL;
    }
  k->at += n;
  return p;
}

static void
scalar (struct pack *k, void *v, size_t n)
{
  const char *p;
  if (!k->reading)
    {
      put (k, v, n);
      return;
    }
  if ((p = get (k, n)) != NULL)
    memcpy (v, p, n);
}

void
pack_fixed (struct pack *k, void *p, size_t n)
{
  scalar (k, p, n);
}

void
pack_digest_generic (const void *data, size_t len, uint8_t out[16])
{
  XXH128_canonical_t c;
  XXH128_canonicalFromHash (&c, XXH3_128bits (data, len));
  memcpy (out, c.digest, 16);
}

bool
pack_digest_avx2_usable (void)
{
#if defined(__x86_64__)
  /* glibc's view of the CPU, read at start-up: usable means the OS saves
   * the AVX state too. */
  return CPU_FEATURE_ACTIVE (AVX2);
#else
  return false;
#endif
}

void
pack_digest (const void *data, size_t len, uint8_t out[16])
{
  if (pack_digest_avx2_usable ())
    pack_digest_avx2 (data, len, out);
  else
    pack_digest_generic (data, len, out);
}

void
pack_u64 (struct pack *k, uint64_t *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_u32 (struct pack *k, uint32_t *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_i64 (struct pack *k, int64_t *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_size (struct pack *k, size_t *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_long (struct pack *k, long *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_char (struct pack *k, char *v)
{
  scalar (k, v, sizeof *v);
}

void
pack_bool (struct pack *k, bool *v)
{
  uint8_t b = k->reading ? 0 : *v;
  scalar (k, &b, 1);
  if (k->reading && !k->bad)
    {
      if (b > 1)
        k->bad = true;
      else
        *v = b;
    }
}

void
pack_enum (struct pack *k, int *v, int n)
{
  int32_t x = k->reading ? 0 : *v;
  scalar (k, &x, sizeof x);
  if (k->reading && !k->bad)
    {
      if (x < 0 || x >= n)
        k->bad = true;
      else
        *v = x;
    }
}

/* Length UINT64_MAX stands for NULL; the bytes are followed by a NUL, so
 * that a restored string can point into the entry (pack_strv).  Inlined:
 * a restore calls it for each of a policy's ~200 strings (-4 k
 * instructions). */
static inline __attribute__ ((always_inline)) void
pack_len (struct pack *k, const void *p, size_t len, const char **out, uint64_t *n)
{
  *n = p == NULL ? UINT64_MAX : (uint64_t) len;
  scalar (k, n, sizeof *n);
  if (!k->reading)
    {
      if (p != NULL)
        {
          put (k, p, len);
          put (k, "", 1);
        }
      return;
    }
  *out = NULL;
  if (k->bad || *n == UINT64_MAX)
    return;
  if (*n > PACK_MAX_LEN)
    k->bad = true;
  else if ((*out = get (k, (size_t) *n + 1)) != NULL && (*out)[*n] != '\0')
    {
      k->bad = true;
      *out = NULL;
    }
}

/* Reading: the next string of the entry as it lies there (pack_len's
 * layout: length, bytes, NUL), NULL for a NULL string; bad when short,
 * without its NUL, or with a NUL inside.  pack_len's work without its
 * generality: a restore reads ~200 strings (-8 k instructions). */
static inline __attribute__ ((always_inline)) const char *
take_str (struct pack *k)
{
  size_t left = (size_t) (k->end - k->at);
  const char *s;
  uint64_t n;

  if (k->bad || left < sizeof n)
    goto bad;
  memcpy (&n, k->at, sizeof n);
  if (n == UINT64_MAX)
    {
      k->at += sizeof n;
      return NULL;
    }
  if (n >= left - sizeof n) /* n bytes and the NUL */
    goto bad;
  s = k->at + sizeof n;
  if (s[n] != '\0' || strlen (s) != n)
    goto bad;
  k->at = s + n + 1;
  return s;
bad:
  k->bad = true;
  return NULL;
}

/* Writing: s; reading: the string in the entry, as take_str. */
static inline __attribute__ ((always_inline)) const char *
str_in_entry (struct pack *k, const char *s)
{
  const char *unused;
  uint64_t n;

  if (k->reading)
    return take_str (k);
  pack_len (k, s, s == NULL ? 0 : strlen (s), &unused, &n);
  return NULL;
}

void
pack_bytes (struct pack *k, char **p, size_t *len)
{
  const char *src = NULL;
  uint64_t n = 0;
  pack_len (k, k->reading ? NULL : *p, k->reading ? 0 : *len, &src, &n);
  if (!k->reading || src == NULL)
    return;
  *p = xmalloc ((size_t) n + 1);
  memcpy (*p, src, (size_t) n);
  (*p)[n] = '\0';
  *len = (size_t) n;
}

void
pack_str (struct pack *k, char **s)
{
  const char *src = str_in_entry (k, k->reading ? NULL : *s);
  if (src != NULL)
    *s = xstrdup (src);
}

void
pack_str_borrowed (struct pack *k, char **s)
{
  const char *src = str_in_entry (k, k->reading ? NULL : *s);
  if (src != NULL)
    *s = (char *) src; /* the entry is malloc'd memory its owner keeps */
}

void
pack_array (struct pack *k, void **v, size_t *n, size_t size)
{
  pack_size (k, n);
  if (!k->reading || k->bad)
    return;
  if (*n > (size_t) (k->end - k->at))
    {
      k->bad = true;
      *n = 0;
      return;
    }
  *v = xzalloc ((*n + 1) * size);
}

void
pack_strv (struct pack *k, struct strv *v)
{
  size_t i, n = v->n;

  if (!k->reading)
    {
      pack_size (k, &n);
      for (i = 0; i < n; i++)
        str_in_entry (k, v->v[i]);
      return;
    }
  /* The count, then at least one byte per string: a bad count cannot
   * allocate much. */
  if (k->bad || (size_t) (k->end - k->at) < sizeof n)
    {
      k->bad = true;
      return;
    }
  memcpy (&n, k->at, sizeof n);
  k->at += sizeof n;
  if (n > (size_t) (k->end - k->at))
    {
      k->bad = true;
      return;
    }
  v->v = arena_alloc (k, (n + 1) * sizeof *v->v);
  v->borrowed = true;
  for (i = 0; i < n; i++)
    {
      const char *src = take_str (k);
      if (src == NULL)
        {
          k->bad = true; /* a NULL among the strings, or short */
          return;
        }
      v->v[i] = (char *) src; /* the entry is malloc'd memory its owner keeps */
      v->n = i + 1;
    }
}

void *
pack_state (struct pack *k, void **state, size_t size)
{
  if (k->reading)
    *state = xzalloc (size);
  return *state;
}

void
pack_expect_str (struct pack *k, const char *s)
{
  const char *src = str_in_entry (k, s);
  if (k->reading && !k->bad && (src == NULL || strcmp (src, s) != 0))
    k->bad = true;
}

void
pack_fail (struct pack *k)
{
  k->bad = true;
}
