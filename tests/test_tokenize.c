/* test_tokenize.c - the UTF-8 tokenizer: Hangul kept whole, ASCII punctuation split off,
 * ASCII lowercased, invalid UTF-8 reported with its byte offset. */
#include "test_util.h"

static void assert_tokens(const char *text, int n, const char *const *want) {
    RnnTokens tokens;
    RnnError err;
    if (rnn_tokenize(text, &tokens, &err)) fail_msg("%s", err.message);
    assert_int_equal(tokens.count, n);
    for (int i = 0; i < n; i++) assert_string_equal(tokens.text[i], want[i]);
    rnn_tokens_free(&tokens);
}

static void test_korean_sentence(void **state) {
    (void)state;
    const char *want[] = {"나는", "사과를", "먹었다", "."};
    assert_tokens("나는 사과를 먹었다.", 4, want);
}

static void test_english_lowercase_and_punctuation(void **state) {
    (void)state;
    const char *want[] = {"the", "cat", ",", "i", "think", ",", "isn", "'", "t", "here", "!", "?"};
    assert_tokens("  The CAT, I think,\tisn't\nHERE!? ", 12, want);
}

static void test_only_ascii_is_lowercased(void **state) {
    (void)state;
    /* É (U+00C9) and Greek capitals stay as they are; Hangul has no case */
    const char *want[] = {"École", "ΑΒΓ", "abc한글"};
    assert_tokens("École ΑΒΓ ABC한글", 3, want);
}

static void test_unicode_spaces_separate_words(void **state) {
    (void)state;
    /* U+3000 ideographic space, U+00A0 no-break space */
    const char *want[] = {"가", "나", "다"};
    assert_tokens("가\xe3\x80\x80나\xc2\xa0다", 3, want);
}

static void test_offsets_point_into_the_original(void **state) {
    (void)state;
    RnnTokens tokens;
    RnnError err;
    const char *text = "Hi 세계!";
    assert_int_equal(rnn_tokenize(text, &tokens, &err), 0);
    assert_int_equal(tokens.count, 3);
    assert_int_equal(tokens.offset[0], 0);
    assert_int_equal(tokens.length[0], 2);
    assert_int_equal(tokens.offset[1], 3);
    assert_int_equal(tokens.length[1], 6); /* two 3-byte Hangul syllables */
    assert_int_equal(tokens.offset[2], 9);
    assert_memory_equal(text + tokens.offset[1], "세계", 6);
    rnn_tokens_free(&tokens);
}

static void test_empty_and_blank(void **state) {
    (void)state;
    assert_tokens("", 0, NULL);
    assert_tokens(" \t\n ", 0, NULL);
}

static void assert_invalid_at(const char *text, const char *offset_text) {
    RnnTokens tokens;
    RnnError err;
    assert_int_equal(rnn_tokenize(text, &tokens, &err), -1);
    if (!strstr(err.message, offset_text)) fail_msg("message '%s'", err.message);
    rnn_tokens_free(&tokens); /* safe on the zeroed result */
}

static void test_invalid_utf8_names_the_byte(void **state) {
    (void)state;
    assert_invalid_at("ab\x80", "byte 2");           /* stray continuation byte */
    assert_invalid_at("가\xea\xb0", "byte 3");       /* truncated 3-byte sequence */
    assert_invalid_at("\xc0\xaf", "byte 0");         /* overlong '/' */
    assert_invalid_at("x \xed\xa0\x80", "byte 2");   /* UTF-16 surrogate U+D800 */
    assert_invalid_at("\xf4\x90\x80\x80", "byte 0"); /* past U+10FFFF */
    assert_invalid_at("ok \xff", "byte 3");          /* never valid */
}

static void test_decoder_accepts_every_length(void **state) {
    (void)state;
    unsigned cp;
    assert_int_equal(rnn_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(rnn_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(rnn_utf8_decode((const unsigned char *)"한", 3, &cp), 3);
    assert_int_equal(cp, 0xD55C);
    assert_int_equal(rnn_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(rnn_utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_korean_sentence),
        cmocka_unit_test(test_english_lowercase_and_punctuation),
        cmocka_unit_test(test_only_ascii_is_lowercased),
        cmocka_unit_test(test_unicode_spaces_separate_words),
        cmocka_unit_test(test_offsets_point_into_the_original),
        cmocka_unit_test(test_empty_and_blank),
        cmocka_unit_test(test_invalid_utf8_names_the_byte),
        cmocka_unit_test(test_decoder_accepts_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
