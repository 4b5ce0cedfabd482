/* fuzz_lesson.c - libFuzzer target for the lesson reader (io_lesson_parse).
 *
 * Any input: 0 or -1 without a sanitizer report (leaks included). A lesson that loads has
 * its front matter, at least one step, and every step a title and its Markdown. */
#define _POSIX_C_SOURCE 200809L
#include "io_lesson.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    IoLesson *lesson = NULL;
    RnnError err;
    if (io_lesson_parse((const char *)data, size, "lessons/en/fuzz.md", &lesson, &err) != 0) {
        if (lesson) __builtin_trap();
        return 0;
    }
    if (!lesson || !lesson->title || !lesson->model || !lesson->text || !lesson->lang)
        __builtin_trap();
    if (lesson->nsteps < 1 || lesson->nsteps > IO_LESSON_MAX_STEPS) __builtin_trap();
    for (int i = 0; i < lesson->nsteps; i++) {
        const IoLessonStep *s = &lesson->steps[i];
        if (!s->title || !s->markdown) __builtin_trap();
        (void)strlen(s->markdown); /* NUL-terminated, inside its allocation */
        if ((s->quiz != NULL) != (s->answer != NULL)) __builtin_trap();
        for (int k = 0; k < s->nclaims; k++)
            if (!s->claims[k].expr || !s->claims[k].value || !s->claims[k].op[0]) __builtin_trap();
    }
    io_lesson_free(lesson);
    return 0;
}
