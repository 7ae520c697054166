#ifndef NOTIFY_UNIT_CPRIVILEGES_H
#define NOTIFY_UNIT_CPRIVILEGES_H

// Gives up every capability this process holds: ambient, inheritable,
// permitted and effective. notify-unit needs none, but an ExecStopPost= of a
// unit with AmbientCapabilities= (restic's CAP_DAC_READ_SEARCH) hands them
// to it. prctl() is variadic and capset() has no glibc wrapper, so Swift
// cannot call either: hence C. 0 on success, else -1 with errno set.
int nu_drop_capabilities(void);

// 1 when the process still holds a permitted capability, 0 if not, -1 on error.
int nu_holds_capabilities(void);

#endif
