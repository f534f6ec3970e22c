//go:build !unix

package safefile

// nonBlock is 0 where opening has no non-blocking mode; the check of what was
// opened still refuses what is not a regular file.
const nonBlock = 0
