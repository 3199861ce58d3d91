/* Keyed HMAC-SHA256 of every value of an Arrow string array, in one call (etl.protect.tokens).
 *
 * HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)): the states after the two padded key blocks
 * are computed once, then copied for each value. OpenSSL's low-level SHA256_* functions keep
 * that copy a struct assignment (the EVP interface allocates a context per copy); they are
 * deprecated since OpenSSL 3.0 but kept, and use the same assembly (SHA-NI where the CPU has
 * it). Nothing here touches a Python object while the GIL is released. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
/* the SHA256_* functions without deprecation warnings */
#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/crypto.h>
#include <openssl/sha.h>

#define PAD 64

static PyObject *
digests(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_buffer inner, outer, offsets, data;
    Py_ssize_t first, count, keep;
    if (!PyArg_ParseTuple(args, "y*y*y*y*nnn", &inner, &outer, &offsets, &data, &first, &count,
                          &keep)) {
        return NULL;
    }
    PyObject *result = NULL;
    const char *problem = NULL;
    if (inner.len != PAD || outer.len != PAD) {
        problem = "the padded keys must be 64 bytes each";
    } else if (keep < 1 || keep > SHA256_DIGEST_LENGTH) {
        problem = "keep must be between 1 and 32 bytes";
    } else if (first < 0 || count < 0
               || (first + count + 1) * (Py_ssize_t)sizeof(int32_t) > offsets.len) {
        problem = "the offsets buffer is shorter than the values";
    }
    if (problem == NULL) {
        result = PyBytes_FromStringAndSize(NULL, count * keep);
    }
    if (result != NULL) {
        unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
        const int32_t *bounds = (const int32_t *)offsets.buf + first;
        const unsigned char *bytes = (const unsigned char *)data.buf;
        const Py_ssize_t size = data.len;
        Py_ssize_t bad = -1;
        Py_BEGIN_ALLOW_THREADS
        SHA256_CTX inner_state, outer_state, ctx;
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256_Init(&inner_state);
        SHA256_Update(&inner_state, inner.buf, PAD);
        SHA256_Init(&outer_state);
        SHA256_Update(&outer_state, outer.buf, PAD);
        for (Py_ssize_t i = 0; i < count; i++) {
            const int32_t start = bounds[i], end = bounds[i + 1];
            if (start < 0 || end < start || end > size) {
                bad = i;
                break;
            }
            ctx = inner_state;
            SHA256_Update(&ctx, bytes + start, (size_t)(end - start));
            SHA256_Final(digest, &ctx);
            ctx = outer_state;
            SHA256_Update(&ctx, digest, SHA256_DIGEST_LENGTH);
            SHA256_Final(digest, &ctx);
            memcpy(out + i * keep, digest, (size_t)keep);
        }
        OPENSSL_cleanse(&ctx, sizeof ctx);
        OPENSSL_cleanse(&inner_state, sizeof inner_state);
        OPENSSL_cleanse(&outer_state, sizeof outer_state);
        Py_END_ALLOW_THREADS
        if (bad >= 0) {
            Py_CLEAR(result);
            problem = "an offset points outside the data buffer";
        }
    }
    PyBuffer_Release(&inner);
    PyBuffer_Release(&outer);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&data);
    if (problem != NULL) {
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"digests", digests, METH_VARARGS,
     "digests(inner_pad, outer_pad, offsets, data, first, count, keep) -> bytes\n\n"
     "The first `keep` bytes of HMAC-SHA256 of each of `count` values of an Arrow string\n"
     "array (int32 `offsets` from value `first` on, `data`), given the key XOR ipad and XOR\n"
     "opad, concatenated. The GIL is released while hashing."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "_hmac", .m_size = 0, .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__hmac(void)
{
    return PyModule_Create(&module);
}
