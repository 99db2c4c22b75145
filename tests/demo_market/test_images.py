"""The replica's listing images (demo_market.images): product pictures with Chinese text drawn in
Noto Sans CJK, deterministic from the seed and the listing, with what each one says kept as ground
truth, served under the platforms' real image hosts."""

from __future__ import annotations

import io
import re

from PIL import Image

from demo_market import images


def test_pictures_are_planned_from_the_listing_and_kept_as_truth(catalogue):
    risky = [x for x in catalogue.initial() if x.true_reasons]
    clean = [x for x in catalogue.initial() if not x.true_reasons]
    claims = {x.listing_id: images.image_claims(x, catalogue.seed) for x in risky}
    # claims only on risky listings; some say in the picture what the title does not
    assert all(not images.image_claims(x, catalogue.seed) for x in clean[:300])
    hidden = [x for x in risky if (0, "年检专用", "inspection_only") in claims[x.listing_id] and "年检" not in x.title]
    contradicting = [x for x in risky if any(r == "spec_mismatch" for _, _, r in claims[x.listing_id])]
    invalid = [x for x in risky if "invalid_certificate" in x.true_reasons and x.certificate_no]
    assert len(hidden) >= 20 and len(contradicting) >= 20
    for x in contradicting[:50]:  # the weight in the picture is not the title's
        [(_, text, _)] = [c for c in claims[x.listing_id] if c[2] == "spec_mismatch"]
        stated = re.search(r"(\d+(?:\.\d+)?)\s*(?:kg|公斤|千克)", x.spec.lower())
        assert stated and float(text.removeprefix("规格：").removesuffix("KG")) != float(stated.group(1))
    for x in invalid[:20]:  # an invalid certificate number is printed beside the parameters
        assert (1, f"证书编号：{x.certificate_no}", "invalid_certificate") in claims[x.listing_id] or x.image_count == 1
    for x in risky[:200]:
        for plan in images.listing_images(x, catalogue.seed):
            assert (plan.width, plan.height) == ((800, 800) if plan.index == 0 else (750, plan.height))
            for t in plan.texts:
                assert 0 <= t.box[0] < t.box[2] <= plan.width and 0 <= t.box[1] < t.box[3] <= plan.height


def test_the_same_url_answers_the_same_picture_and_a_relisting_reuses_its_photos(catalogue, client):
    x = next(x for x in catalogue.initial() if x.true_reasons and x.image_count >= 2)
    first = client.get(x.image_urls()[0])
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert client.get(x.image_urls()[0]).content == first.content
    assert first.content == images.render(images.listing_images(x, catalogue.seed)[0])
    with Image.open(io.BytesIO(first.content)) as im:
        assert im.size == (800, 800) and im.convert("L").getextrema()[1] - im.convert("L").getextrema()[0] > 100  # a picture, not a tile
    assert client.get(x.image_urls()[1]).content != first.content
    relist = next(r for r in catalogue.listings if r.relist_of)
    source = catalogue.get(relist.platform, relist.relist_of)
    assert client.get(relist.image_urls()[0]).content == client.get(source.image_urls()[0]).content
    # a name the catalogue does not know still answers the old tile
    assert client.get("/img/jd/123_0.png").content.startswith(b"\x89PNG")
