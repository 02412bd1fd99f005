#pragma once

// flock(2) locks, and who holds one: a command that must wait for another
// says which (the kernel lists every lock in /proc/locks, with its holder's
// PID and the locked file's device and inode).

#include <sys/types.h>

#include <string>
#include <vector>

namespace hublab {

enum class LockMode { kShared, kExclusive };

// Without waiting: false if another open file holds a conflicting lock.
bool try_lock_file(int fd, LockMode mode);
// Waits for it. Throws on any other failure.
void lock_file(int fd, LockMode mode);

// The processes holding a lock on the file `fd` is open on (not those
// waiting for one), by PID, in /proc/locks order; a holder in another PID
// namespace may show as 0.
std::vector<pid_t> lock_holders(int fd);

// "hublab check ref (pid 4242)": the holder's command line as it was
// started, words joined by a space, its program by its file name alone;
// "pid 4242" when it is gone or unreadable.
std::string describe_process(pid_t pid);

}  // namespace hublab
