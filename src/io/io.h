/* io.h - rnnscope's files: the model file (rnnscope-model v1, JSON), input vector files and
 * the safe file helpers beneath them. Every error message names the file, and where it
 * helps the line and the key; nothing here prints or exits. */
#ifndef RNNSCOPE_IO_H
#define RNNSCOPE_IO_H

#include "rnn.h"

#include <stddef.h>

#define IO_MODEL_FORMAT  "rnnscope-model"
#define IO_MODEL_VERSION 2                   /* the newest this rnnscope reads; it reads 1 too */
#define IO_MAX_FILE_SIZE ((size_t)256 << 20) /* larger files are refused before reading */

/* Reads a whole file into a NUL-terminated buffer (free it with free()). Files larger than
 * max_bytes are refused with a message naming the size. */
int io_read_file(const char *path, size_t max_bytes, char **data, size_t *len, RnnError *err);

/* Writes data to path atomically: a temporary file in the same directory, flushed to disk,
 * then renamed over path. On any failure path keeps its previous contents. */
int io_write_file_atomic(const char *path, const char *data, size_t len, RnnError *err);

/* ---- model files ------------------------------------------------------------------------ */

/* Parses and validates a model file's text. `source` names it in messages ("m.json").
 * On success *out owns a new model; *extras (if extras != NULL) receives the unknown
 * top-level keys as a JSON object text ("{}" when none) for io_model_save to write back. */
int io_model_parse(const char *text, size_t len, const char *source, RnnModel **out, char **extras,
                   RnnError *err);
/* io_model_load also reads a Keras file (.keras or .h5, told by its first bytes; io_keras.h),
 * with extras "{}". */
int io_model_load(const char *path, RnnModel **out, char **extras, RnnError *err);

/* The model as rnnscope-model JSON text (malloc'd), with the extra top-level keys of
 * extras_json (a JSON object text, or NULL) merged in. Numbers round-trip exactly. A model
 * version 1 can describe (rnn_config_is_uniform, PyTorch's, a vocabulary with "<unk>") is
 * written as version 1, byte for byte as before; any other as version 2. */
char *io_model_to_json(const RnnModel *model, const char *extras_json, RnnError *err);
int io_model_save(const char *path, const RnnModel *model, const char *extras_json, RnnError *err);

/* Returns object_json (a JSON object text, NULL or "" for {}) with key set to value_json,
 * replacing any earlier value; malloc'd. Used to record "training" in a model's extras. */
char *io_json_object_set(const char *object_json, const char *key, const char *value_json,
                         RnnError *err);

/* ---- JSON ---------------------------------------------------------------------------------- */

struct cJSON;
/* Parses text (len bytes) as one JSON value; the caller cJSON_Delete's it. NULL when it is
 * not: err names src:line:column of the first byte that is not UTF-8 or where the JSON goes
 * wrong (saying so when the text ends too early), or says an empty text should have held
 * `expected`. first_line: the line of src that text starts on (1 for a whole file). */
struct cJSON *io_json_parse(const char *text, size_t len, const char *src, int first_line,
                            const char *expected, RnnError *err);

/* ---- input vectors ---------------------------------------------------------------------- */

/* A JSON array of T arrays of input_size finite numbers: *vectors gets (T, input_size). */
int io_inputs_parse(const char *text, size_t len, const char *source, int input_size,
                    double **vectors, int *steps, RnnError *err);
int io_inputs_load(const char *path, int input_size, double **vectors, int *steps, RnnError *err);

/* ---- training data (JSON Lines) ----------------------------------------------------------- */

typedef enum IoDataKind { IO_DATA_LABELS, IO_DATA_TAGS, IO_DATA_VALUES } IoDataKind;

/* One line of a data file as written. */
typedef struct IoRecord {
    int line;        /* 1-based line number in the file */
    int steps;       /* T */
    char **tokens;   /* (T) words, or NULL for vector data */
    double *vectors; /* (T, vector_width) or NULL */
    char *label;     /* many-to-one target, or NULL */
    char **tags;     /* (T) many-to-many targets, or NULL */
    double *values;  /* (num_values) regression targets ("target": x or [x, ...]), or NULL */
    int num_values;
} IoRecord;

typedef struct IoDataset {
    char *path;
    IoDataKind kind;
    int count;        /* examples */
    int max_steps;    /* longest example */
    int vector_width; /* width of "inputs" vectors; 0 for word data */
    int has_tokens;
    IoRecord *records; /* (count) */
    /* filled by io_data_encode for one model: */
    RnnExample *examples; /* (count) pointing into ids / targets / records */
    int *ids;             /* all token ids, example after example */
    int *targets;         /* all targets, example after example */
} IoDataset;

/* Parses JSON Lines; errors name "file:line: reason". Blank lines are skipped. */
int io_data_parse(const char *text, size_t len, const char *source, IoDataset **out, RnnError *err);
int io_data_load(const char *path, IoDataset **out, RnnError *err);
void io_data_free(IoDataset *data);
/* Distinct words / labels (or tags) in order of first appearance; free the array (not the
 * strings, which belong to the dataset). */
int io_data_words(const IoDataset *data, const char ***words, int *count, RnnError *err);
int io_data_labels(const IoDataset *data, const char ***labels, int *count, RnnError *err);
/* Maps words to the model's vocabulary ids (<unk> for unknown ones) and labels to its label
 * indices, filling data->examples. A label the model does not have is an error. */
int io_data_encode(IoDataset *data, const RnnModel *model, RnnError *err);

/* ---- training records ----------------------------------------------------------------------- */

/* What `rnnscope train` recorded under "training" in a model file's extras. */
typedef struct IoTraining {
    char data[1024];       /* the data file, as recorded */
    RnnTrainConfig config; /* optimizer, lr, batch size, shuffle, clip, seed */
    int epochs;
} IoTraining;

/* Reads the record from a model's extras (io_model_load's extras text); source names the
 * model file in messages. Missing keys take `rnnscope train`'s defaults. */
int io_training_parse(const char *extras_json, const char *source, IoTraining *out, RnnError *err);
typedef struct IoBuf IoBuf; /* a growing text buffer: below */

/* How a training run went, written after the settings (io_training_write); the parser
 * does not read it back. Pointers may be NULL: that key is left out. */
typedef struct IoTrainingRun {
    const char *valid;            /* the validation data file */
    const char *init;             /* the model file trained further; NULL: random from the seed */
    long long steps;              /* optimizer steps taken */
    const double *final_loss;     /* the last epoch's mean loss */
    const double *final_accuracy; /* and its accuracy (not for regression) */
    const char *valid_key;        /* "valid_accuracy" or "valid_mse", with valid_value */
    const double *valid_value;
    const char *date, *version, *command; /* UTC date, rnnscope's version, the command line */
    int live;                             /* trained in the window: "live": true */
} IoTrainingRun;

/* Appends the "training" record, a JSON object, to out: rec's data, optimizer, lr, epochs,
 * batch size, shuffle, clip and seed (what io_training_parse reads back), then run. The one
 * writer of the record, for `rnnscope train` and for the window's live training. */
void io_training_write(IoBuf *out, const IoTraining *rec, const IoTrainingRun *run);
/* Finds the recorded data file: as recorded, relative to the folder holding assets/, or in
 * ../data beside the model. 0 and the path in out, or -1 when none is readable. */
int io_training_data_path(const char *model_path, const char *recorded, char *out, size_t size);

/* ---- text output -------------------------------------------------------------------------- */

/* A growing text buffer for writing JSON and tables. After an allocation failure it stops
 * growing and sets failed; check it once at the end. */
struct IoBuf {
    char *data; /* NUL-terminated */
    size_t len, cap;
    int failed;
};

void io_buf_free(IoBuf *b);
void io_buf_put(IoBuf *b, const char *s, size_t n);
void io_buf_puts(IoBuf *b, const char *s);
void io_buf_printf(IoBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A JSON string literal, quotes and escapes included. */
void io_buf_json_string(IoBuf *b, const char *s);
/* A number that reads back as exactly x; non-finite values are written as null. */
void io_buf_double(IoBuf *b, double x);
/* A JSON array of n numbers. */
void io_buf_double_array(IoBuf *b, const double *x, size_t n);

/* Shortest of %.15g/%.16g/%.17g that reads back as exactly x. size >= 32. */
void io_format_double(double x, char *buf, size_t size);

#endif
