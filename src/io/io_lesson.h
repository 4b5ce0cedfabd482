/* io_lesson.h - lesson files: Markdown with front matter, one step per "##" section, and
 * directives in HTML comments (<!-- rnnscope: key=value ... -->). See lessons/README.md.
 * This reads and checks the file's own structure; whether its models load and its claims
 * hold is checked by the app (rnnscope check), which runs them. */
#ifndef RNNSCOPE_IO_LESSON_H
#define RNNSCOPE_IO_LESSON_H

#include "rnn.h"

#define IO_LESSON_MAX_STEPS 1000

/* expect EXPR OP VALUE */
typedef struct IoClaim {
    int line;
    char *expr;  /* e.g. "accuracy(recall-lstm, distance=40)" */
    char op[3];  /* < <= > >= == != */
    char *value; /* a number or a word */
} IoClaim;

typedef struct IoLessonStep {
    int line;       /* the line of its "##" heading (the first body line for step 0) */
    char *title;    /* the heading's text; the lesson title for step 0 */
    char *markdown; /* its text, without the directive comments */
    size_t markdown_len;
    /* what it sets; NULL / -1 when it inherits from the step before */
    char *model; /* resolved against the lesson's folder */
    int model_line;
    char *text;
    int step; /* -1 unset, IO_LESSON_STEP_END for the last word */
    int step_line;
    char *focus;             /* h, c or a gate name */
    int unit, t, layer, dir; /* -1 unset; dir 0 forward, 1 backward */
    int focus_line;
    char *quiz, *answer;
    int compare; /* view=compare: the models side by side (this step only) */
    /* the backward pass (this step only): pass=backward, back=K (steps walked back from the
     * last word, -1 unset: 0), target=T (as rnn_grad_parse_target reads it; NULL: the
     * prediction) */
    int backward, back;
    char *target;
    int back_line, target_line; /* where back= and target= were said, for messages */
    /* what-if changes (this step only): scale-whh=S forget-bias=B nonlinearity=tanh|relu
     * clip=C; RNN_WHAT_IF_NONE when the step sets none */
    RnnWhatIf what_if;
    int scale_whh_line, forget_bias_line, nonlinearity_line, clip_line; /* 0: not said */
    IoClaim *claims;
    int nclaims;
} IoLessonStep;

#define IO_LESSON_STEP_END (-2)

typedef struct IoLesson {
    char *path; /* as given */
    char *title, *lang;
    char *model; /* resolved against the lesson's folder */
    char *text;
    char *compare; /* resolved, or NULL: shown beside the step's model in view=compare steps */
    double order;
    int model_line, text_line; /* front matter lines, for messages */
    IoLessonStep *steps;
    int nsteps;
} IoLesson;

int io_lesson_parse(const char *text, size_t len, const char *path, IoLesson **out, RnnError *err);
int io_lesson_load(const char *path, IoLesson **out, RnnError *err);
void io_lesson_free(IoLesson *lesson);
/* Lesson files under a path (a file, or a folder searched for *.md but README.md), sorted;
 * free each string and the array. */
int io_lesson_find(const char *path, char ***out, int *n);

#endif
