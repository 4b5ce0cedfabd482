/* fuzz_keras_h5.c - libFuzzer target for legacy Keras .h5 files (io_keras_parse, libhdf5 from
 * memory). The input's first 8 bytes become the HDF5 signature. Any input must be read or
 * refused with a message, without a sanitizer report; a model that is read has finite
 * parameters and writes (io_model_to_json) and reads back to the same numbers. */
#include "fuzz_keras_common.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_keras_run(data, size, "\x89HDF\r\n\x1a\n", 8);
    return 0;
}
