def test_home_lists_buildings_and_facilities(client, hall, space):
    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "본관동" in body and "동관" in body
    assert "경남사회적경제혁신타운" in body
    assert "/spaces/?facility=innovation-town" in body
