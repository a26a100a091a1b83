/*
 * rotated.h: the rotated copies of a log beside it, as logrotate names
 * them, in the order they were rotated: PATH-DATE (dateext, by name), then
 * PATH.N down to PATH.1 and PATH.0.  Compressed ones (.gz, .bz2, .xz,
 * .zst, .lz4, .Z) are left out: they cannot be read as they are.
 *
 * The followers use the list to find, after a rotation, the file that
 * holds the rest of what they were reading (by inode after a rename, by
 * its first bytes after a copytruncate) and the files rotated after it,
 * which are read whole before the live log.  The same rules are in the
 * remote follower's sh program (rfollow_script.c).
 */
#ifndef MAILCON_ROTATED_H
#define MAILCON_ROTATED_H

#include <stddef.h>

/*
 * The rotated files beside path, oldest first, as full paths.  Returns
 * their number; *out is an array the caller frees with rotated_free (NULL
 * when there are none).  A directory that cannot be read has none.
 */
size_t	 rotated_list(const char *path, char ***out);
void	 rotated_free(char **list, size_t n);

#endif
