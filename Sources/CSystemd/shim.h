#ifndef NOTIFY_UNIT_CSYSTEMD_SHIM_H
#define NOTIFY_UNIT_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <systemd/sd-id128.h>
#endif
