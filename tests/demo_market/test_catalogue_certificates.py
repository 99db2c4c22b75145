"""The replica's certificate numbers agree with the CCC scope the rules know: no gas-detector CCC
certificate is dated 2019-2023, when gas detectors were outside CCC (2018年第11号公告 from 2018-06-11,
eifire.com/vn/show-1168.html; back by 2024年第9号, applications from 2024-11-01,
lst-lab.com/newsview.asp?id=2523; classifiers/data/ccc_scope.yaml entry ccc-2018-11-gas)."""

from __future__ import annotations

from classifiers.certification import load_scope


def test_no_gas_detector_certificate_from_the_years_outside_ccc(catalogue):
    gap = {year for year, _ in load_scope().gap_years("gas_detector")}
    assert gap == {2019, 2020, 2021, 2022, 2023}
    good = [x.certificate_no for x in catalogue.initial()
            if x.true_category == "gas_detector" and x.certificate_no and "invalid_certificate" not in x.true_reasons]
    assert len(good) >= 10  # the catalogue does cite gas-detector certificates
    assert [n for n in good if int(n[:4]) in gap] == []
