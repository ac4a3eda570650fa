/* The DeviceManager's lock-free dispatch fast path; see manager.h. */
#include "devices/core/manager_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int len_ok(enum dev_bus_kind bus, uint32_t len)
{
	return len == 1 || len == 2 || len == 4 || (len == 8 && bus == DEV_BUS_MMIO);
}

static void log_miss(struct dev_manager *m, enum dev_bus_kind bus, int is_write, uint64_t addr,
		     uint32_t len, int rc)
{
	char msg[128];
	snprintf(msg, sizeof(msg), "%s %s 0x%" PRIx64 " len %" PRIu32 ": %s",
		 bus == DEV_BUS_PIO ? "pio" : "mmio", is_write ? "write" : "read", addr, len,
		 rc == 1 ? "no device" : "refused, crosses a device's range end");
	m->cfg.log(m->cfg.log_ctx, DEV_LOG_DEBUG, msg);
}

static int dispatch(struct dev_manager *m, enum dev_bus_kind bus, uint64_t addr, uint8_t *rdata,
		    const uint8_t *wdata, uint32_t len)
{
	if (!m || (unsigned)bus >= DEV_BUS_COUNT)
		return -EINVAL;
	struct dev_bus_counters *cnt = &m->cnt[bus];
	if ((!rdata && !wdata) || !len_ok(bus, len)) {
		atomic_fetch_add_explicit(&cnt->bad_access, 1, memory_order_relaxed);
		return -EINVAL;
	}
	struct dev_epoch_ref ref = dev_epoch_enter(&m->epoch);
	const struct dev_bus_snap *s = atomic_load(&m->snap[bus]);
	const struct dev_bus_ent *e;
	int rc = dev_bus_snap_lookup(s, addr, len, &e);
	if (rc == 0) {
		const struct dev_handle *h = e->dev;
		if (rdata) {
			if (h->ops.read)
				h->ops.read(h->priv, e->start, addr - e->start, rdata, len);
			else
				memset(rdata, 0xff, len);
		} else if (h->ops.write) {
			h->ops.write(h->priv, e->start, addr - e->start, wdata, len);
		}
	}
	dev_epoch_exit(ref);
	if (rc != 0) {
		if (rdata)
			memset(rdata, 0xff, len);
		_Atomic uint64_t *c = rc < 0  ? &cnt->crossing
				      : rdata ? &cnt->unhandled_reads
					      : &cnt->unhandled_writes;
		atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
		if (m->cfg.log)
			log_miss(m, bus, !rdata, addr, len, rc);
	}
	if (atomic_load_explicit(&m->pending, memory_order_relaxed))
		dev__reader_reclaim(m);
	return rc;
}

int dev_manager_read(struct dev_manager *m, enum dev_bus_kind bus, uint64_t addr, uint8_t *data,
		     uint32_t len)
{
	return dispatch(m, bus, addr, data, NULL, len);
}

int dev_manager_write(struct dev_manager *m, enum dev_bus_kind bus, uint64_t addr,
		      const uint8_t *data, uint32_t len)
{
	return dispatch(m, bus, addr, NULL, data, len);
}

int dev_manager_stats(struct dev_manager *m, enum dev_bus_kind bus, struct dev_bus_stats *out)
{
	if (!m || !out || (unsigned)bus >= DEV_BUS_COUNT)
		return -EINVAL;
	struct dev_bus_counters *c = &m->cnt[bus];
	out->unhandled_reads = atomic_load(&c->unhandled_reads);
	out->unhandled_writes = atomic_load(&c->unhandled_writes);
	out->crossing = atomic_load(&c->crossing);
	out->bad_access = atomic_load(&c->bad_access);
	const struct dev_bus_snap *s;
	struct dev_epoch_ref ref = dev_epoch_enter(&m->epoch);
	s = atomic_load(&m->snap[bus]);
	out->devices = s->n;
	dev_epoch_exit(ref);
	return 0;
}
