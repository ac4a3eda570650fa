/* devices/core umbrella header: everything the program and device models use.
 *   device.h      struct dev_ops, enum dev_bus_kind, struct dev_irq_line
 *   manager.h     the DeviceManager: register/unregister/update, dispatch
 *   resources.h   resource constraints, allocation, save/restore
 *   addr_alloc.h  id_alloc.h  range_tree.h  the building blocks
 *
 * Typical use by the program:
 *   struct dev_manager *m;  dev_manager_new(&m, NULL);       (x86 defaults)
 *   struct dev_res_req rq = { .kind = DEV_RES_LEGACY_IRQ };
 *   struct dev_resource irq;  dev_manager_alloc_resources(m, &rq, 1, &irq);
 *   dev_manager_register(m, DEV_BUS_PIO, 0x3f8, 8, &uart_ops, uart, &h);
 *   ... vCPU exit: dev_manager_read(m, DEV_BUS_PIO, port, data, size);
 *   dev_manager_unregister(m, h);  dev_manager_free(m);
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
