/* devices/core umbrella header: everything the program and device models use.
 *   device.h      struct dev_ops, enum dev_bus_kind, struct dev_irq_line
 *   manager.h     the DeviceManager: register/unregister/update, dispatch
 *   resources.h   resource constraints, allocation, save/restore
 *   addr_alloc.h  id_alloc.h  range_tree.h  the building blocks
 */
#ifndef VMM_DEVICES_CORE_DEV_H
#define VMM_DEVICES_CORE_DEV_H

#include "devices/core/addr_alloc.h"
#include "devices/core/device.h"
#include "devices/core/id_alloc.h"
#include "devices/core/manager.h"
#include "devices/core/range_tree.h"
#include "devices/core/resources.h"

#endif
