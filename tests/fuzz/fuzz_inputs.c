/* fuzz_inputs.c - libFuzzer target for input vector files (io_inputs_parse, trace --inputs).
 *
 * The first byte chooses the model's input_size (1..8); the rest is the file. A file that
 * loads gives T >= 1 steps of input_size finite numbers. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int input_size = 1 + data[0] % 8;
    double *vectors = NULL;
    int steps = -1;
    RnnError err;
    if (io_inputs_parse((const char *)data + 1, size - 1, "x.json", input_size, &vectors, &steps,
                        &err) != 0) {
        if (vectors || steps != 0) __builtin_trap();
        return 0;
    }
    if (!vectors || steps < 1) __builtin_trap();
    for (size_t i = 0; i < (size_t)steps * (size_t)input_size; i++)
        if (!isfinite(vectors[i])) __builtin_trap();
    free(vectors);
    return 0;
}
