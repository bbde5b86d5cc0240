package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonPointer;
import dev.junction.connectors.api.PermanentException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PagingTest {
    private static final JsonPointer DATA = JsonPointer.compile("/data");

    private static Page page(String json, String link) {
        return Page.parse(json.getBytes(StandardCharsets.UTF_8), DATA, Optional.ofNullable(link), "http://api/x");
    }

    @Test
    void bodyLinkIsResolvedAgainstThePageAndEndsWhenMissingNullOrEmpty() {
        Paging paging = new Paging.BodyLink(JsonPointer.compile("/paging/next"));
        String url = "http://api.example.com/v1/contacts?updated_since=5";
        assertEquals(Optional.of("http://api.example.com/v1/contacts?cursor=abc"),
                paging.next(url, page("{\"data\":[1],\"paging\":{\"next\":\"contacts?cursor=abc\"}}", null), 0, 0));
        assertEquals(Optional.of("http://api.example.com/other?c=1"),
                paging.next(url, page("{\"data\":[1],\"paging\":{\"next\":\"/other?c=1\"}}", null), 0, 0));
        assertEquals(Optional.of("https://elsewhere/p2"),
                paging.next(url, page("{\"data\":[1],\"paging\":{\"next\":\"https://elsewhere/p2\"}}", null), 0, 0));
        assertEquals(Optional.empty(), paging.next(url, page("{\"data\":[1],\"paging\":{\"next\":null}}", null), 0, 0));
        assertEquals(Optional.empty(), paging.next(url, page("{\"data\":[1],\"paging\":{\"next\":\"\"}}", null), 0, 0));
        assertEquals(Optional.empty(), paging.next(url, page("{\"data\":[1]}", null), 0, 0));
    }

    @Test
    void linkHeaderFindsRelNextAmongSeveralLinks() {
        assertEquals(Optional.of("https://api.github.com/x?page=3"), Paging.LinkHeader.nextOf(
                "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=3>; rel=\"next\", "
                        + "<https://api.github.com/x?page=9>; rel=\"last\""));
        assertEquals(Optional.of("/p?c=2"), Paging.LinkHeader.nextOf("</p?c=2>; title=\"more\"; REL=\"prefetch next\""));
        assertEquals(Optional.of("/p2"), Paging.LinkHeader.nextOf("</p2>;rel=next"));
        assertEquals(Optional.empty(), Paging.LinkHeader.nextOf("</p1>; rel=\"prev\""));
        Paging paging = new Paging.LinkHeader();
        assertEquals(Optional.of("http://api/x?page=2"), paging.next("http://api/x?page=1", page("{\"data\":[]}", "</x?page=2>; rel=next"), 0, 0));
        assertEquals(Optional.empty(), paging.next("http://api/x", page("{\"data\":[]}", null), 0, 0));
    }

    @Test
    void pageNumbersCountFromFirstAndStopAtAShortPage() {
        Paging paging = new Paging.PageNumber("page", 1, "per_page", 2);
        String first = paging.first("http://api/x?updated_since=7");
        assertEquals("http://api/x?updated_since=7&page=1&per_page=2", first);
        assertEquals(Optional.of("http://api/x?updated_since=7&page=2&per_page=2"), paging.next(first, page("{\"data\":[1,2]}", null), 0, 0));
        assertEquals(Optional.of("http://api/x?updated_since=7&page=3&per_page=2"),
                paging.next("http://api/x?updated_since=7&page=2&per_page=2", page("{\"data\":[1,2]}", null), 1, 2));
        assertEquals(Optional.empty(), paging.next(first, page("{\"data\":[1]}", null), 0, 0));
    }

    @Test
    void offsetsAdvanceByTheItemsReadAndStopAtAShortPage() {
        Paging paging = new Paging.Offset("offset", "limit", 3);
        assertEquals("http://api/x?offset=0&limit=3", paging.first("http://api/x"));
        assertEquals(Optional.of("http://api/x?offset=6&limit=3"), paging.next("http://api/x?offset=3&limit=3", page("{\"data\":[1,2,3]}", null), 1, 3));
        assertEquals(Optional.empty(), paging.next("http://api/x?offset=3&limit=3", page("{\"data\":[1,2]}", null), 1, 3));
    }

    @Test
    void aParameterIsReplacedAndItsValueEncoded() {
        assertEquals("http://api/x?a=1&since=2026-01-01T00%3A00%3A00%2B01%3A00",
                Urls.withParam("http://api/x?since=old&a=1", "since", "2026-01-01T00:00:00+01:00"));
        assertEquals("http://api/x?q=a%20b", Urls.withParam("http://api/x", "q", "a b"));
    }

    @Test
    void aPageWithoutItsArrayOrNotJsonFailsPermanently() {
        assertEquals(2, page("{\"data\":[{},{}]}", null).items().size());
        assertEquals(3, Page.parse("[1,2,3]".getBytes(StandardCharsets.UTF_8), JsonPointer.empty(), Optional.empty(), "u").items().size());
        PermanentException noArray = assertThrows(PermanentException.class, () -> page("{\"items\":[]}", null));
        assertEquals("http://api/x: the page has no array at /data (found nothing)", noArray.getMessage());
        assertEquals("invalid-page", assertThrows(PermanentException.class, () -> page("<html>", null)).errorClass());
    }

    @Test
    void theWatermarkIsTheNewestAsNumberOrText() {
        assertEquals("10", Watermark.newest("9", "10"));
        assertEquals("2026-12-01T10:00:00Z", Watermark.newest("2026-12-01T10:00:00Z", "2026-11-30T23:59:59Z"));
        assertEquals("a", Watermark.newest(null, "a"));
        assertEquals(null, Watermark.newest(null, null));
    }
}
