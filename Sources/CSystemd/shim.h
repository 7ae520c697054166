#ifndef NOTIFY_UNIT_CSYSTEMD_SHIM_H
#define NOTIFY_UNIT_CSYSTEMD_SHIM_H
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#endif
