/* Safe access to a bundle's config.json and to exec's process.json.
 *
 * Reading: the directory is opened O_DIRECTORY|O_CLOEXEC, the file relative
 * to it with O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK; it must be a regular file no
 * larger than the size cap.  Writing: the new bytes go to an O_EXCL temp file
 * in the same directory, are fsync'd, get the original's mode (minus group and
 * other write) and owner, and are renamed over the original; then the
 * directory is fsync'd.  Until the rename the original is byte for byte
 * unchanged; a refused document is never touched.  Stale temp files of ours
 * (".<name>.secshim-*") older than a minute are removed on the next write. */
#ifndef SECSHIM_BUNDLE_H
#define SECSHIM_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "secshim/error.h"
#include "secshim/json.h"

struct doc_file
{
  int dirfd;   /* O_DIRECTORY fd of the containing directory */
  int fd;      /* the file, from doc_file_open until doc_file_parse; else -1 */
  char *dir;   /* absolute path of the directory */
  char *name;  /* file name within dir, e.g. "config.json" */
  char *bytes; /* a stream's content, NUL-terminated; NULL for a file */
  size_t len;  /* bytes read (by doc_file_parse for a file) */
  size_t max_bytes;
  struct stat st; /* fstat of the file as opened */
};

/* Open dir (NULL = current directory) and name in it, checked as above
 * (its size against max_bytes by fstat); doc_file_parse reads it. */
int doc_file_open (const char *dir, const char *name, size_t max_bytes, struct doc_file *out, secshim_error_t *err);
/* Open a path "dir/name" given as one string (exec --process FILE). */
int doc_file_open_path (const char *path, size_t max_bytes, struct doc_file *out, secshim_error_t *err);
/* Parse the document: a file is read a piece at a time (json_parse_fd),
 * so that a large one is never in memory whole, and its fd closed; a
 * stream's bytes are parsed as they are. */
int doc_file_parse (struct doc_file *f, struct json_value **tree, secshim_error_t *err);
/* Atomically replace the file (see above) with doc's canonical bytes
 * (json_write), written a piece at a time: compared with the file as they
 * come, and from the first difference streamed into the temp file, so
 * that a large document is never in memory whole.  No-op when the bytes
 * are identical to the file and to what was read. */
int doc_file_write_tree (struct doc_file *f, const struct json_value *doc, secshim_error_t *err);
void doc_file_close (struct doc_file *f);

/* exec -p <(...): a process file that is a pipe or socket (a /dev/fd path
 * of the shell), which runc reads once with os.Open.  True when path leads
 * to neither a regular file nor a directory. */
bool doc_path_is_stream (const char *path);
/* Read such a stream once (following the /dev/fd link, as runc does) into
 * out: dirfd -1, dir and name from the path, nothing to replace. */
int doc_stream_read (const char *path, size_t max_bytes, struct doc_file *out, secshim_error_t *err);
/* A sealed memfd holding bytes, inheritable by runc across execv (the one
 * fd opened without CLOEXEC on purpose): how runc gets the bytes secshim
 * checked when there is no file to replace.  Returns the fd, or -1. */
int doc_sealed_memfd (const char *what, const char *bytes, size_t len, secshim_error_t *err);

#endif
