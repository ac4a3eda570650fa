/* Minimal i8042: see i8042.h. */
#include "devices/legacy/i8042.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define OFF_DATA 0   /* port 0x60 */
#define OFF_STATUS 4 /* port 0x64: status on read, command on write */

#define ST_OBF 0x01     /* output buffer full */
#define ST_SYSFLAG 0x04 /* self test passed */
#define ST_CMD 0x08     /* last write was a command */

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_ENABLE_AUX 0xa8
#define CMD_TEST_AUX 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_TEST_KBD 0xab
#define CMD_DISABLE_KBD 0xad
#define CMD_ENABLE_KBD 0xae
#define CMD_READ_OUTPORT 0xd0
#define CMD_WRITE_OUTPORT 0xd1
#define CMD_RESET 0xfe

struct dev_i8042 {
	pthread_mutex_t lock;
	struct dev_i8042_config cfg;
	uint8_t status, ctr, outport, out;
	uint8_t pending_cmd; /* command waiting for its data byte on port 0x60, or 0 */
};

int dev_i8042_new(struct dev_i8042 **out, const struct dev_i8042_config *cfg)
{
	if (!out || !cfg)
		return -EINVAL;
	struct dev_i8042 *k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	if (pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k);
		return -ENOMEM;
	}
	k->cfg = *cfg;
	k->status = ST_SYSFLAG;
	k->ctr = 0x30;     /* both ports disabled, no interrupts */
	k->outport = 0x01; /* reset line deasserted */
	*out = k;
	return 0;
}

void dev_i8042_free(struct dev_i8042 *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static void put_out_locked(struct dev_i8042 *k, uint8_t v)
{
	k->out = v;
	k->status |= ST_OBF;
}

void dev_i8042_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct dev_i8042 *k = priv;
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0xff;
	if (len == 0)
		return;
	pthread_mutex_lock(&k->lock);
	if (offset == OFF_DATA) {
		data[0] = k->out;
		k->status &= (uint8_t)~ST_OBF;
	} else if (offset == OFF_STATUS) {
		data[0] = k->status;
	}
	pthread_mutex_unlock(&k->lock);
}

/* Returns true when the guest asked for a reset. */
static bool command_locked(struct dev_i8042 *k, uint8_t cmd)
{
	k->status |= ST_CMD;
	switch (cmd) {
	case CMD_READ_CTR:
		put_out_locked(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
		k->pending_cmd = cmd;
		break;
	case CMD_SELF_TEST:
		k->status |= ST_SYSFLAG;
		put_out_locked(k, 0x55);
		break;
	case CMD_TEST_KBD:
	case CMD_TEST_AUX:
		put_out_locked(k, 0x00);
		break;
	case CMD_READ_OUTPORT:
		put_out_locked(k, k->outport);
		break;
	case CMD_DISABLE_KBD:
		k->ctr |= 0x10;
		break;
	case CMD_ENABLE_KBD:
		k->ctr &= (uint8_t)~0x10;
		break;
	case CMD_DISABLE_AUX:
		k->ctr |= 0x20;
		break;
	case CMD_ENABLE_AUX:
		k->ctr &= (uint8_t)~0x20;
		break;
	case CMD_RESET:
		return true;
	default:
		break;
	}
	return false;
}

void dev_i8042_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct dev_i8042 *k = priv;
	if (len == 0)
		return;
	bool reset = false;
	pthread_mutex_lock(&k->lock);
	if (offset == OFF_STATUS) {
		reset = command_locked(k, data[0]);
	} else if (offset == OFF_DATA) {
		k->status &= (uint8_t)~ST_CMD;
		if (k->pending_cmd == CMD_WRITE_CTR) {
			k->ctr = data[0];
		} else if (k->pending_cmd == CMD_WRITE_OUTPORT) {
			k->outport = data[0];
			reset = !(data[0] & 0x01); /* bit 0 low = system reset */
		}
		/* Data for the keyboard itself (no keyboard attached) is dropped. */
		k->pending_cmd = 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (reset && k->cfg.reset)
		k->cfg.reset(k->cfg.ctx);
}

const struct dev_ops dev_i8042_ops = {
	.read = dev_i8042_read,
	.write = dev_i8042_write,
	.release = NULL,
};
