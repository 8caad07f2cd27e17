// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the checkpoint image writer, the untrusted-image reader
 * and the object hash.
 */
#include <kunit/test.h>
#include <linux/checkpoint.h>
#include <linux/crc32.h>
#include <linux/slab.h>

#define TEST_IMAGE_SIZE	4096

struct image_test {
	struct ckpt_ctx *w, *r;
	u8 *mem;
};

static int image_test_init(struct kunit *test)
{
	struct image_test *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, it);
	it->mem = kunit_kzalloc(test, TEST_IMAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, it->mem);
	it->w = ckpt_ctx_alloc(false, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, it->w);
	ckpt_ctx_set_mem(it->w, it->mem, TEST_IMAGE_SIZE);
	test->priv = it;
	return 0;
}

static void image_test_exit(struct kunit *test)
{
	struct image_test *it = test->priv;

	ckpt_ctx_free(it->w);
	ckpt_ctx_free(it->r);
}

/* A reader over what the writer wrote, possibly cut to @len bytes */
static struct ckpt_ctx *image_reader(struct kunit *test, size_t len)
{
	struct image_test *it = test->priv;

	it->r = ckpt_ctx_alloc(true, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, it->r);
	ckpt_ctx_set_mem(it->r, it->mem, len);
	return it->r;
}

/* Write: FD record, FILE record with a 5-byte path, trailer */
static size_t image_write_sample(struct kunit *test)
{
	struct image_test *it = test->priv;
	struct ckpt_hdr_file f = { .ref = 7, .type = CKPT_FILE_REG,
				   .path_len = 5 };
	struct ckpt_hdr_fd fd = { .fd = 3, .file_ref = 7 };

	int ret;

	ret = ckpt_write_obj(it->w, &fd.h, CKPT_HDR_FD, sizeof(fd));
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = ckpt_write_obj_payload(it->w, &f.h, CKPT_HDR_FILE, sizeof(f),
				     "/tmp", 5);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, 0, ckpt_write_trailer(it->w));
	return it->w->mem_len;
}

static void image_test_roundtrip(struct kunit *test)
{
	size_t len = image_write_sample(test), plen;
	struct ckpt_ctx *r = image_reader(test, len);
	struct ckpt_hdr_file f;
	struct ckpt_hdr_fd fd;
	char path[16];

	/* Records are padded to 8 bytes: 24 + (72 + 5 -> 80) + 40 */
	KUNIT_EXPECT_EQ(test, sizeof(f), (size_t)72);
	KUNIT_EXPECT_EQ(test, len, (size_t)144);
	KUNIT_EXPECT_EQ(test, 0, ckpt_read_obj(r, CKPT_HDR_FD, &fd.h,
					       sizeof(fd)));
	KUNIT_EXPECT_EQ(test, fd.fd, 3U);
	KUNIT_EXPECT_EQ(test, fd.file_ref, 7U);
	KUNIT_EXPECT_EQ(test, 0, ckpt_read_obj_payload(r, CKPT_HDR_FILE, &f.h,
						       sizeof(f), path,
						       sizeof(path), &plen));
	KUNIT_EXPECT_EQ(test, plen, (size_t)5);
	KUNIT_EXPECT_STREQ(test, path, "/tmp");
	KUNIT_EXPECT_EQ(test, 0, ckpt_check_string(r, path, plen, "path"));
	KUNIT_EXPECT_EQ(test, 0, ckpt_read_trailer(r));
}

static void image_test_wrong_type(struct kunit *test)
{
	size_t len = image_write_sample(test);
	struct ckpt_ctx *r = image_reader(test, len);
	struct ckpt_hdr_fd fd;

	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_read_obj(r, CKPT_HDR_VMA, &fd.h,
						      sizeof(fd)));
	KUNIT_EXPECT_EQ(test, r->err, -EBADMSG);
}

static void image_test_bad_length(struct kunit *test)
{
	struct image_test *it = test->priv;
	size_t len = image_write_sample(test);
	struct ckpt_hdr_fd fd;
	struct ckpt_hdr *h = (struct ckpt_hdr *)it->mem;

	/* A record shorter than its struct */
	h->len = sizeof(fd) - 8;
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			ckpt_read_obj(image_reader(test, len), CKPT_HDR_FD,
				      &fd.h, sizeof(fd)));
	ckpt_ctx_free(it->r);
	/* A fixed-size record with a payload */
	h->len = sizeof(fd) + 8;
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			ckpt_read_obj(image_reader(test, len), CKPT_HDR_FD,
				      &fd.h, sizeof(fd)));
	ckpt_ctx_free(it->r);
	/* A huge length is refused before anything is read */
	h->len = U32_MAX;
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			ckpt_read_obj(image_reader(test, len), CKPT_HDR_FD,
				      &fd.h, sizeof(fd)));
}

static void image_test_payload_bound(struct kunit *test)
{
	size_t len = image_write_sample(test), plen;
	struct ckpt_ctx *r = image_reader(test, len);
	struct ckpt_hdr_file f;
	struct ckpt_hdr_fd fd;
	char path[4];

	KUNIT_ASSERT_EQ(test, 0, ckpt_read_obj(r, CKPT_HDR_FD, &fd.h,
					       sizeof(fd)));
	/* 5 bytes of path do not fit a 4-byte bound */
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			ckpt_read_obj_payload(r, CKPT_HDR_FILE, &f.h, sizeof(f),
					      path, sizeof(path), &plen));
}

static void image_test_padding(struct kunit *test)
{
	struct image_test *it = test->priv;
	size_t len = image_write_sample(test), plen;
	struct ckpt_ctx *r;
	struct ckpt_hdr_file f;
	struct ckpt_hdr_fd fd;
	char path[16];

	it->mem[24 + sizeof(f) + 5] = 1;	/* first padding byte of FILE */
	r = image_reader(test, len);
	KUNIT_ASSERT_EQ(test, 0, ckpt_read_obj(r, CKPT_HDR_FD, &fd.h,
					       sizeof(fd)));
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			ckpt_read_obj_payload(r, CKPT_HDR_FILE, &f.h, sizeof(f),
					      path, sizeof(path), &plen));
}

static void image_test_truncated(struct kunit *test)
{
	size_t len = image_write_sample(test), plen;
	struct image_test *it = test->priv;
	struct ckpt_hdr_file f;
	struct ckpt_hdr_fd fd;
	char path[16];
	size_t cut;

	for (cut = 0; cut < sizeof(fd); cut++) {
		KUNIT_EXPECT_EQ(test, -EBADMSG,
				ckpt_read_obj(image_reader(test, cut), CKPT_HDR_FD,
					      &fd.h, sizeof(fd)));
		ckpt_ctx_free(it->r);
		it->r = NULL;
	}
	/* An image cut in its trailer: every record reads, the trailer not */
	image_reader(test, len - 1);
	KUNIT_EXPECT_EQ(test, 0, ckpt_read_obj(it->r, CKPT_HDR_FD, &fd.h,
					       sizeof(fd)));
	KUNIT_EXPECT_EQ(test, 0, ckpt_read_obj_payload(it->r, CKPT_HDR_FILE,
						       &f.h, sizeof(f), path,
						       sizeof(path), &plen));
	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_read_trailer(it->r));
}

static void image_test_corrupted(struct kunit *test)
{
	struct image_test *it = test->priv;
	size_t len = image_write_sample(test), plen;
	struct ckpt_hdr_file f;
	struct ckpt_hdr_fd fd;
	struct ckpt_ctx *r;
	char path[16];

	it->mem[24 + 64 + 1] ^= 0x20;	/* "/tmp" -> "/Tmp" */
	r = image_reader(test, len);
	KUNIT_ASSERT_EQ(test, 0, ckpt_read_obj(r, CKPT_HDR_FD, &fd.h,
					       sizeof(fd)));
	KUNIT_ASSERT_EQ(test, 0, ckpt_read_obj_payload(r, CKPT_HDR_FILE, &f.h,
						       sizeof(f), path,
						       sizeof(path), &plen));
	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_read_trailer(r));
}

static void image_test_crc_is_zlib(struct kunit *test)
{
	struct image_test *it = test->priv;
	static const char check[] = "123456789";

	/* The trailer's CRC-32 is zlib's: 0xcbf43926 for "123456789" */
	KUNIT_EXPECT_EQ(test, 0, ckpt_write(it->w, check, 9));
	KUNIT_EXPECT_EQ(test, it->w->crc ^ ~0U, 0xcbf43926U);
}

static void image_test_strings(struct kunit *test)
{
	struct image_test *it = test->priv;

	KUNIT_EXPECT_EQ(test, 0, ckpt_check_string(it->w, "abc", 4, "s"));
	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_check_string(it->w, "abcd", 4, "s"));
	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_check_string(it->w, "a\0c", 4, "s"));
	KUNIT_EXPECT_EQ(test, -EBADMSG, ckpt_check_string(it->w, "", 0, "s"));
}

static void objhash_test_checkpoint(struct kunit *test)
{
	struct image_test *it = test->priv;
	int a, b;
	u32 ra, rb, r2;

	KUNIT_EXPECT_EQ(test, 1, ckpt_obj_lookup_add(it->w, &a, CKPT_OBJ_MM, &ra));
	KUNIT_EXPECT_EQ(test, 1, ckpt_obj_lookup_add(it->w, &b, CKPT_OBJ_MM, &rb));
	KUNIT_EXPECT_NE(test, ra, rb);
	KUNIT_EXPECT_NE(test, ra, 0U);
	KUNIT_EXPECT_EQ(test, 0, ckpt_obj_lookup_add(it->w, &a, CKPT_OBJ_MM, &r2));
	KUNIT_EXPECT_EQ(test, r2, ra);
	KUNIT_EXPECT_EQ(test, ckpt_obj_lookup(it->w, &b, CKPT_OBJ_MM), rb);
	KUNIT_EXPECT_EQ(test, ckpt_obj_lookup(it->w, &b, CKPT_OBJ_FS), 0U);
	KUNIT_EXPECT_EQ(test, ckpt_obj_lookup(it->w, test, CKPT_OBJ_MM), 0U);
}

static void objhash_test_restart(struct kunit *test)
{
	struct ckpt_ctx *r = image_reader(test, 0);
	int a, b;

	KUNIT_EXPECT_EQ(test, 0, rstr_obj_add(r, 5, CKPT_OBJ_MM, &a));
	KUNIT_EXPECT_EQ(test, -EBADMSG, rstr_obj_add(r, 5, CKPT_OBJ_MM, &b));
	KUNIT_EXPECT_EQ(test, -EBADMSG, rstr_obj_add(r, 0, CKPT_OBJ_MM, &b));
	KUNIT_EXPECT_EQ(test, -EBADMSG, rstr_obj_add(r, U32_MAX, CKPT_OBJ_MM, &b));
	KUNIT_EXPECT_PTR_EQ(test, rstr_obj_get(r, 5, CKPT_OBJ_MM), (void *)&a);
	KUNIT_EXPECT_TRUE(test, IS_ERR(rstr_obj_get(r, 5, CKPT_OBJ_FILE)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(rstr_obj_get(r, 6, CKPT_OBJ_MM)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(rstr_obj_get(r, U32_MAX, CKPT_OBJ_MM)));
}

static struct kunit_case image_test_cases[] = {
	KUNIT_CASE(image_test_roundtrip),
	KUNIT_CASE(image_test_wrong_type),
	KUNIT_CASE(image_test_bad_length),
	KUNIT_CASE(image_test_payload_bound),
	KUNIT_CASE(image_test_padding),
	KUNIT_CASE(image_test_truncated),
	KUNIT_CASE(image_test_corrupted),
	KUNIT_CASE(image_test_crc_is_zlib),
	KUNIT_CASE(image_test_strings),
	KUNIT_CASE(objhash_test_checkpoint),
	KUNIT_CASE(objhash_test_restart),
	{}
};

static struct kunit_suite image_test_suite = {
	.name = "checkpoint-image",
	.init = image_test_init,
	.exit = image_test_exit,
	.test_cases = image_test_cases,
};

kunit_test_suite(image_test_suite);
