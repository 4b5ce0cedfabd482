/* fuzz_keras_zip.c - libFuzzer target for Keras 3 .keras files (io_keras_parse: libzip over the
 * buffer, then the model.weights.h5 inside with libhdf5). The input's first 4 bytes become
 * the zip signature. Any input must be read or refused with a message, without a sanitizer
 * report; a model that is read has finite parameters and writes and reads back the same. */
#include "fuzz_keras_common.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_keras_run(data, size, "PK\x03\x04", 4);
    return 0;
}
