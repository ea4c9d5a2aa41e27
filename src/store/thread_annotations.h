// Thread-safety annotations (Clang's -Wthread-safety vocabulary). They document which lock
// guards each piece of shared state and which lock a function expects to be held. Under GCC
// they compile to nothing; they are for the reader first and for Clang's analysis second.
#pragma once

#if defined(__clang__)
#define STRATA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STRATA_THREAD_ANNOTATION(x)
#endif

// The member is read and written only with the named lock held.
#define GUARDED_BY(x) STRATA_THREAD_ANNOTATION(guarded_by(x))
// The pointee is read and written only with the named lock held.
#define PT_GUARDED_BY(x) STRATA_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold the named lock.
#define EXCLUSIVE_LOCKS_REQUIRED(...) \
  STRATA_THREAD_ANNOTATION(exclusive_locks_required(__VA_ARGS__))
// The caller must not hold the named lock (the function takes it).
#define LOCKS_EXCLUDED(...) STRATA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
